<?xml version="1.0" encoding="UTF-8"?>
<!-- The town's catalogue (administrators): the service library by theme with the town's status of each service, its own services, its drafts, a definition to import, uploaded as a file (multipart form) or pasted. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">
  <xsl:include href="bo-layout.xsl"/>

  <xsl:template name="content">
    <xsl:for-each select="v:catalogue-admin">
      <xsl:variable name="admin" select="."/>
      <p><a href="{@back}"><xsl:call-template name="m"><xsl:with-param name="key">bo.agent.back</xsl:with-param></xsl:call-template></a></p>
      <xsl:apply-templates select="v:notice"/>
      <p><xsl:call-template name="m"><xsl:with-param name="key">bo.catalogue.help</xsl:with-param></xsl:call-template></p>
      <h2 id="library"><xsl:call-template name="m"><xsl:with-param name="key">bo.catalogue.library</xsl:with-param></xsl:call-template></h2>
      <xsl:for-each select="v:theme">
        <h3 id="theme-{@code}"><xsl:value-of select="@label"/></h3>
        <xsl:call-template name="services">
          <xsl:with-param name="admin" select="$admin"/>
          <xsl:with-param name="caption" select="@label"/>
        </xsl:call-template>
      </xsl:for-each>
      <p><a href="{@new}" class="button secondary"><xsl:call-template name="m"><xsl:with-param name="key">bo.catalogue.new</xsl:with-param></xsl:call-template></a></p>
      <xsl:for-each select="v:own">
        <h2 id="own"><xsl:call-template name="m"><xsl:with-param name="key">bo.catalogue.own</xsl:with-param></xsl:call-template></h2>
        <xsl:call-template name="services">
          <xsl:with-param name="admin" select="$admin"/>
          <xsl:with-param name="caption" select="key('message', 'bo.catalogue.own')"/>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:if test="v:draft">
        <h2 id="drafts"><xsl:call-template name="m"><xsl:with-param name="key">bo.catalogue.drafts</xsl:with-param></xsl:call-template></h2>
        <ul class="drafts">
          <xsl:for-each select="v:draft">
            <li>
              <form method="post" action="{$admin/@action}" class="inline">
                <input type="hidden" name="_token" value="{$admin/@token}"/>
                <input type="hidden" name="code" value="{@code}"/>
                <a class="draft-code" href="{@edit}"><xsl:value-of select="@code"/></a>
                <xsl:text> </xsl:text>
                <button type="submit" name="action" value="publish" class="button"><xsl:call-template name="m"><xsl:with-param name="key">bo.catalogue.publish</xsl:with-param></xsl:call-template></button>
                <xsl:text> </xsl:text>
                <button type="submit" name="action" value="publish-test" class="button secondary"><xsl:call-template name="m"><xsl:with-param name="key">bo.catalogue.publish-test</xsl:with-param></xsl:call-template></button>
              </form>
            </li>
          </xsl:for-each>
        </ul>
      </xsl:if>
      <xsl:for-each select="v:import">
        <h2 id="import"><xsl:call-template name="m"><xsl:with-param name="key">bo.catalogue.import</xsl:with-param></xsl:call-template></h2>
        <xsl:for-each select="../v:upload">
          <form method="post" action="{$admin/@action}" enctype="multipart/form-data" class="agent-form" novalidate="novalidate">
            <input type="hidden" name="_token" value="{$admin/@token}"/>
            <input type="hidden" name="action" value="upload"/>
            <div>
              <xsl:attribute name="class">field<xsl:if test="v:error"> has-error</xsl:if></xsl:attribute>
              <label for="definition-file"><xsl:call-template name="m"><xsl:with-param name="key">bo.catalogue.file</xsl:with-param></xsl:call-template></label>
              <p class="hint" id="definition-file-help"><xsl:call-template name="m"><xsl:with-param name="key">bo.catalogue.file-help</xsl:with-param></xsl:call-template></p>
              <xsl:if test="v:error">
                <ul class="error-message" id="definition-file-error">
                  <xsl:for-each select="v:error">
                    <li>
                      <xsl:if test="../@file and @line"><span class="file-name"><xsl:value-of select="../@file"/></span><xsl:text> — </xsl:text></xsl:if>
                      <xsl:if test="@line"><xsl:call-template name="m"><xsl:with-param name="key">bo.catalogue.line</xsl:with-param></xsl:call-template><xsl:text> </xsl:text><xsl:value-of select="@line"/><xsl:text> : </xsl:text></xsl:if>
                      <xsl:value-of select="."/>
                    </li>
                  </xsl:for-each>
                </ul>
              </xsl:if>
              <input type="file" id="definition-file" name="definition-file" accept=".xml,application/xml,text/xml">
                <xsl:choose>
                  <xsl:when test="v:error">
                    <xsl:attribute name="aria-invalid">true</xsl:attribute>
                    <xsl:attribute name="aria-describedby">definition-file-help definition-file-error</xsl:attribute>
                  </xsl:when>
                  <xsl:otherwise><xsl:attribute name="aria-describedby">definition-file-help</xsl:attribute></xsl:otherwise>
                </xsl:choose>
              </input>
            </div>
            <p><button type="submit" class="button"><xsl:call-template name="m"><xsl:with-param name="key">bo.catalogue.file-button</xsl:with-param></xsl:call-template></button></p>
          </form>
        </xsl:for-each>
        <form method="post" action="{$admin/@action}" class="agent-form" novalidate="novalidate">
          <input type="hidden" name="_token" value="{$admin/@token}"/>
          <input type="hidden" name="action" value="import"/>
          <div>
            <xsl:attribute name="class">field<xsl:if test="v:error"> has-error</xsl:if></xsl:attribute>
            <label for="definition"><xsl:call-template name="m"><xsl:with-param name="key">bo.catalogue.definition</xsl:with-param></xsl:call-template></label>
            <p class="hint" id="definition-help"><xsl:call-template name="m"><xsl:with-param name="key">bo.catalogue.definition-help</xsl:with-param></xsl:call-template></p>
            <xsl:if test="v:error">
              <ul class="error-message" id="definition-error">
                <xsl:for-each select="v:error">
                  <li>
                    <xsl:if test="@line"><xsl:call-template name="m"><xsl:with-param name="key">bo.catalogue.line</xsl:with-param></xsl:call-template><xsl:text> </xsl:text><xsl:value-of select="@line"/><xsl:text> : </xsl:text></xsl:if>
                    <xsl:value-of select="."/>
                  </li>
                </xsl:for-each>
              </ul>
            </xsl:if>
            <textarea id="definition" name="definition" rows="14" spellcheck="false">
              <xsl:choose>
                <xsl:when test="v:error">
                  <xsl:attribute name="aria-invalid">true</xsl:attribute>
                  <xsl:attribute name="aria-describedby">definition-help definition-error</xsl:attribute>
                </xsl:when>
                <xsl:otherwise><xsl:attribute name="aria-describedby">definition-help</xsl:attribute></xsl:otherwise>
              </xsl:choose>
              <xsl:value-of select="v:value"/>
            </textarea>
          </div>
          <p><button type="submit" class="button"><xsl:call-template name="m"><xsl:with-param name="key">bo.catalogue.import-button</xsl:with-param></xsl:call-template></button></p>
        </form>
      </xsl:for-each>
    </xsl:for-each>
  </xsl:template>

  <xsl:template name="services">
    <xsl:param name="admin"/>
    <xsl:param name="caption"/>
    <div class="table-scroll" tabindex="0" role="region" aria-label="{$caption}">
      <table class="agents catalogue-admin">
        <caption class="visually-hidden"><xsl:value-of select="$caption"/></caption>
        <thead>
          <tr>
            <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.catalogue.service</xsl:with-param></xsl:call-template></th>
            <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.catalogue.status</xsl:with-param></xsl:call-template></th>
            <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.catalogue.actions</xsl:with-param></xsl:call-template></th>
          </tr>
        </thead>
        <tbody>
          <xsl:for-each select="v:service">
            <tr>
              <th scope="row"><xsl:value-of select="."/><span class="code"><xsl:text> (</xsl:text><xsl:value-of select="@code"/>)</span></th>
              <td>
                <xsl:call-template name="m"><xsl:with-param name="key" select="concat('bo.catalogue.status.', @status)"/></xsl:call-template>
                <xsl:if test="@version"><xsl:text> — </xsl:text><xsl:call-template name="m"><xsl:with-param name="key">bo.catalogue.version</xsl:with-param></xsl:call-template><xsl:text> </xsl:text><xsl:value-of select="@version"/></xsl:if>
              </td>
              <td>
                <form method="post" action="{$admin/@action}" class="inline">
                  <input type="hidden" name="_token" value="{$admin/@token}"/>
                  <input type="hidden" name="code" value="{@code}"/>
                  <xsl:if test="@status != 'online'">
                    <button type="submit" name="action" value="enable" class="button"><xsl:call-template name="m"><xsl:with-param name="key">bo.catalogue.enable</xsl:with-param></xsl:call-template><span class="visually-hidden"><xsl:text> </xsl:text><xsl:value-of select="."/></span></button>
                    <xsl:text> </xsl:text>
                  </xsl:if>
                  <xsl:if test="@status != 'test'">
                    <button type="submit" name="action" value="enable-test" class="button secondary"><xsl:call-template name="m"><xsl:with-param name="key">bo.catalogue.enable-test</xsl:with-param></xsl:call-template><span class="visually-hidden"><xsl:text> </xsl:text><xsl:value-of select="."/></span></button>
                    <xsl:text> </xsl:text>
                  </xsl:if>
                  <xsl:if test="@status = 'online' or @status = 'test'">
                    <button type="submit" name="action" value="disable" class="button secondary"><xsl:call-template name="m"><xsl:with-param name="key">bo.catalogue.disable</xsl:with-param></xsl:call-template><span class="visually-hidden"><xsl:text> </xsl:text><xsl:value-of select="."/></span></button>
                  </xsl:if>
                  <xsl:if test="@tests">
                    <xsl:text> </xsl:text>
                    <button type="submit" name="action" value="purge-tests" class="button secondary"><xsl:call-template name="m"><xsl:with-param name="key">bo.catalogue.purge-tests</xsl:with-param></xsl:call-template><xsl:text> (</xsl:text><xsl:value-of select="@tests"/>)<span class="visually-hidden"><xsl:text> </xsl:text><xsl:value-of select="."/></span></button>
                  </xsl:if>
                </form>
                <xsl:if test="@edit">
                  <xsl:text> </xsl:text>
                  <a href="{@edit}"><xsl:call-template name="m"><xsl:with-param name="key">bo.catalogue.edit</xsl:with-param></xsl:call-template><span class="visually-hidden"><xsl:text> </xsl:text><xsl:value-of select="."/></span></a>
                </xsl:if>
                <xsl:if test="@try">
                  <xsl:text> </xsl:text>
                  <a href="{@try}"><xsl:call-template name="m"><xsl:with-param name="key">bo.catalogue.try</xsl:with-param></xsl:call-template><span class="visually-hidden"><xsl:text> </xsl:text><xsl:value-of select="."/></span></a>
                </xsl:if>
                <xsl:if test="@download">
                  <xsl:text> </xsl:text>
                  <a href="{@download}"><xsl:call-template name="m"><xsl:with-param name="key">bo.catalogue.download</xsl:with-param></xsl:call-template><span class="visually-hidden"><xsl:text> </xsl:text><xsl:value-of select="."/></span></a>
                </xsl:if>
              </td>
            </tr>
          </xsl:for-each>
        </tbody>
      </table>
    </div>
  </xsl:template>
</xsl:stylesheet>
