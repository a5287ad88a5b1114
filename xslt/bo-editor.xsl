<?xml version="1.0" encoding="UTF-8"?>
<!-- The service editor (administrators): its sections, the workflow as a
  tree (steps, then their automatic actions, buttons and timed jumps, each
  leading to a step), and every form of the editor through one template
  (labels, help, errors tied to their input, no script needed). -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">
  <xsl:include href="bo-layout.xsl"/>

  <xsl:template name="content">
    <xsl:for-each select="v:service-editor">
      <nav class="editor-nav" aria-label="{key('message', 'bo.editor.nav')}">
        <ul>
          <li><a href="{@back}"><xsl:call-template name="m"><xsl:with-param name="key">bo.editor.back</xsl:with-param></xsl:call-template></a></li>
          <xsl:if test="@main and @page != 'main'">
            <li><a href="{@main}"><xsl:call-template name="m"><xsl:with-param name="key">bo.editor.back-main</xsl:with-param></xsl:call-template></a></li>
          </xsl:if>
          <xsl:if test="@preview">
            <li><a href="{@preview}"><xsl:call-template name="m"><xsl:with-param name="key">bo.editor.preview</xsl:with-param></xsl:call-template></a></li>
          </xsl:if>
        </ul>
      </nav>
      <xsl:if test="@version">
        <p class="editor-state">
          <xsl:call-template name="m"><xsl:with-param name="key">bo.catalogue.version</xsl:with-param></xsl:call-template>
          <xsl:text> </xsl:text><xsl:value-of select="@version"/>
          <xsl:text> — </xsl:text>
          <xsl:choose>
            <xsl:when test="@draft = 'true'"><xsl:call-template name="m"><xsl:with-param name="key">bo.editor.is-draft</xsl:with-param></xsl:call-template></xsl:when>
            <xsl:otherwise><xsl:call-template name="m"><xsl:with-param name="key">bo.editor.no-draft</xsl:with-param></xsl:call-template></xsl:otherwise>
          </xsl:choose>
        </p>
      </xsl:if>
      <xsl:apply-templates select="v:notice"/>
      <xsl:if test="v:problems or .//v:control[@error]">
        <div class="error-summary" role="alert" tabindex="-1" id="error-summary">
          <h2><xsl:call-template name="m"><xsl:with-param name="key">bo.editor.refused</xsl:with-param></xsl:call-template></h2>
          <ul>
            <xsl:for-each select="v:problems/v:problem">
              <li>
                <xsl:if test="@line"><xsl:call-template name="m"><xsl:with-param name="key">bo.catalogue.line</xsl:with-param></xsl:call-template><xsl:text> </xsl:text><xsl:value-of select="@line"/><xsl:text> : </xsl:text></xsl:if>
                <xsl:value-of select="."/>
              </li>
            </xsl:for-each>
            <xsl:for-each select=".//v:control[@error]">
              <li><a href="#{@id}"><xsl:value-of select="@label"/><xsl:text> : </xsl:text><xsl:value-of select="@error"/></a></li>
            </xsl:for-each>
          </ul>
        </div>
      </xsl:if>
      <xsl:for-each select="v:section">
        <section class="editor-section" aria-labelledby="section-{@id}">
          <h2 id="section-{@id}"><xsl:value-of select="v:heading"/></h2>
          <xsl:if test="v:help"><p class="hint"><xsl:value-of select="v:help"/></p></xsl:if>
          <xsl:for-each select="v:items">
            <xsl:choose>
              <xsl:when test="v:item">
                <ul class="editor-items">
                  <xsl:for-each select="v:item">
                    <li>
                      <xsl:choose>
                        <xsl:when test="@href"><a href="{@href}"><xsl:value-of select="@label"/></a></xsl:when>
                        <xsl:otherwise><xsl:value-of select="@label"/></xsl:otherwise>
                      </xsl:choose>
                      <xsl:if test="@code"><span class="code"><xsl:text> (</xsl:text><xsl:value-of select="@code"/>)</span></xsl:if>
                      <xsl:if test="@note"><span class="note"><xsl:text> — </xsl:text><xsl:value-of select="@note"/></span></xsl:if>
                      <xsl:apply-templates select="v:form">
                        <xsl:with-param name="about" select="@label"/>
                      </xsl:apply-templates>
                    </li>
                  </xsl:for-each>
                </ul>
              </xsl:when>
              <xsl:otherwise>
                <p class="empty"><xsl:call-template name="m"><xsl:with-param name="key">bo.editor.none</xsl:with-param></xsl:call-template></p>
              </xsl:otherwise>
            </xsl:choose>
          </xsl:for-each>
          <xsl:for-each select="v:tree">
            <ol class="workflow-tree">
              <xsl:for-each select="v:step">
                <li id="node-{@id}">
                  <p class="step-head">
                    <a href="{@href}"><strong><xsl:value-of select="@label"/></strong></a>
                    <span class="code"><xsl:text> (</xsl:text><xsl:value-of select="@id"/>)</span>
                    <xsl:text> — </xsl:text><xsl:value-of select="@kind"/>
                    <xsl:text> — </xsl:text><xsl:value-of select="@department"/>
                    <xsl:if test="@citizen">
                      <br/><span class="note"><xsl:call-template name="m"><xsl:with-param name="key">bo.editor.citizen-sees</xsl:with-param></xsl:call-template><xsl:text> « </xsl:text><xsl:value-of select="@citizen"/><xsl:text> »</xsl:text></span>
                    </xsl:if>
                  </p>
                  <xsl:if test="v:effect or v:branch">
                    <ul class="branches">
                      <xsl:for-each select="v:effect">
                        <li class="effect"><xsl:value-of select="."/></li>
                      </xsl:for-each>
                      <xsl:for-each select="v:branch">
                        <li class="branch {@kind}">
                          <xsl:value-of select="."/>
                          <xsl:text> → </xsl:text>
                          <a href="#node-{@to}"><xsl:value-of select="@to-label"/></a>
                          <xsl:if test="@note"><span class="note"><xsl:text> (</xsl:text><xsl:value-of select="@note"/>)</span></xsl:if>
                        </li>
                      </xsl:for-each>
                    </ul>
                  </xsl:if>
                  <xsl:apply-templates select="v:form">
                    <xsl:with-param name="about" select="@label"/>
                  </xsl:apply-templates>
                </li>
              </xsl:for-each>
            </ol>
          </xsl:for-each>
          <xsl:apply-templates select="v:form"/>
        </section>
      </xsl:for-each>
    </xsl:for-each>
  </xsl:template>

  <!-- One form of the editor; $about names what its buttons act on, for
       screen readers, when the buttons stand next to an item. -->
  <xsl:template match="v:form">
    <xsl:param name="about"/>
    <form method="post" action="{@action}" id="{@id}" novalidate="novalidate">
      <xsl:attribute name="class">
        <xsl:choose>
          <xsl:when test="v:control">agent-form editor-form</xsl:when>
          <xsl:otherwise>inline editor-buttons</xsl:otherwise>
        </xsl:choose>
      </xsl:attribute>
      <input type="hidden" name="_token" value="{@token}"/>
      <xsl:for-each select="v:hidden">
        <input type="hidden" name="{@name}" value="{@value}"/>
      </xsl:for-each>
      <xsl:choose>
        <xsl:when test="@legend">
          <fieldset>
            <legend><xsl:value-of select="@legend"/></legend>
            <xsl:apply-templates select="v:control"/>
          </fieldset>
        </xsl:when>
        <xsl:otherwise><xsl:apply-templates select="v:control"/></xsl:otherwise>
      </xsl:choose>
      <p class="buttons">
        <xsl:for-each select="v:submit">
          <button type="submit" name="action" value="{@value}">
            <xsl:attribute name="class">button<xsl:if test="@primary != 'true'"> secondary</xsl:if></xsl:attribute>
            <xsl:value-of select="."/>
            <xsl:if test="$about"><span class="visually-hidden"><xsl:text> </xsl:text><xsl:value-of select="$about"/></span></xsl:if>
          </button>
          <xsl:text> </xsl:text>
        </xsl:for-each>
      </p>
    </form>
  </xsl:template>

  <xsl:template match="v:control">
    <xsl:variable name="described">
      <xsl:if test="@help"><xsl:value-of select="@id"/>-help</xsl:if>
      <xsl:if test="@help and @error"><xsl:text> </xsl:text></xsl:if>
      <xsl:if test="@error"><xsl:value-of select="@id"/>-error</xsl:if>
    </xsl:variable>
    <div>
      <xsl:attribute name="class">
        <xsl:choose>
          <xsl:when test="@kind = 'checkbox'">choice single</xsl:when>
          <xsl:otherwise>field</xsl:otherwise>
        </xsl:choose>
        <xsl:if test="@error"> has-error</xsl:if>
      </xsl:attribute>
      <xsl:choose>
        <xsl:when test="@kind = 'checkbox'">
          <xsl:if test="@error"><p class="error-message" id="{@id}-error"><xsl:value-of select="@error"/></p></xsl:if>
          <input type="checkbox" id="{@id}" name="{@name}" value="yes">
            <xsl:if test="@value = 'true'"><xsl:attribute name="checked">checked</xsl:attribute></xsl:if>
            <xsl:call-template name="described"><xsl:with-param name="ids" select="$described"/></xsl:call-template>
          </input>
          <label for="{@id}"><xsl:value-of select="@label"/></label>
          <xsl:if test="@help"><p class="help" id="{@id}-help"><xsl:value-of select="@help"/></p></xsl:if>
        </xsl:when>
        <xsl:otherwise>
          <label for="{@id}"><xsl:value-of select="@label"/>
            <xsl:if test="@required = 'true'"><xsl:text> </xsl:text><span class="required">(<xsl:call-template name="m"><xsl:with-param name="key">form.required</xsl:with-param></xsl:call-template>)</span></xsl:if>
          </label>
          <xsl:if test="@help"><p class="hint" id="{@id}-help"><xsl:value-of select="@help"/></p></xsl:if>
          <xsl:if test="@error"><p class="error-message" id="{@id}-error"><xsl:value-of select="@error"/></p></xsl:if>
          <xsl:choose>
            <xsl:when test="@kind = 'textarea'">
              <textarea id="{@id}" name="{@name}" rows="4">
                <xsl:call-template name="described"><xsl:with-param name="ids" select="$described"/></xsl:call-template>
                <xsl:value-of select="@value"/>
              </textarea>
            </xsl:when>
            <xsl:when test="@kind = 'select'">
              <select id="{@id}" name="{@name}">
                <xsl:call-template name="described"><xsl:with-param name="ids" select="$described"/></xsl:call-template>
                <xsl:for-each select="v:option">
                  <option value="{@value}">
                    <xsl:if test="@selected = 'true'"><xsl:attribute name="selected">selected</xsl:attribute></xsl:if>
                    <xsl:value-of select="."/>
                  </option>
                </xsl:for-each>
              </select>
            </xsl:when>
            <xsl:otherwise>
              <input id="{@id}" name="{@name}" value="{@value}">
                <xsl:attribute name="type">
                  <xsl:choose>
                    <xsl:when test="@kind = 'number'">text</xsl:when>
                    <xsl:otherwise>text</xsl:otherwise>
                  </xsl:choose>
                </xsl:attribute>
                <xsl:if test="@kind = 'number'"><xsl:attribute name="inputmode">numeric</xsl:attribute></xsl:if>
                <xsl:call-template name="described"><xsl:with-param name="ids" select="$described"/></xsl:call-template>
              </input>
            </xsl:otherwise>
          </xsl:choose>
        </xsl:otherwise>
      </xsl:choose>
    </div>
  </xsl:template>

  <xsl:template name="described">
    <xsl:param name="ids"/>
    <xsl:if test="string($ids)"><xsl:attribute name="aria-describedby"><xsl:value-of select="$ids"/></xsl:attribute></xsl:if>
    <xsl:if test="@error"><xsl:attribute name="aria-invalid">true</xsl:attribute></xsl:if>
  </xsl:template>
</xsl:stylesheet>
