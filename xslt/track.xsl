<?xml version="1.0" encoding="UTF-8"?>
<!-- Following a request: the lookup form, and the steps of a request. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">
  <xsl:include href="layout.xsl"/>
  <xsl:include href="documents.xsl"/>
  <xsl:include href="conversation.xsl"/>

  <xsl:template name="content">
    <xsl:apply-templates select="v:lookup | v:tracking"/>
  </xsl:template>

  <xsl:template match="v:lookup">
    <form method="get" action="{@action}" class="lookup" novalidate="novalidate">
      <!-- A GET form drops its action's query: carry the language along. -->
      <xsl:if test="@lang"><input type="hidden" name="lang" value="{@lang}"/></xsl:if>
      <xsl:if test="v:error">
        <div class="notice error" role="alert" id="code-error">
          <p><xsl:value-of select="v:error"/></p>
        </div>
      </xsl:if>
      <div class="field">
        <label for="code"><xsl:call-template name="m"><xsl:with-param name="key">track.code-label</xsl:with-param></xsl:call-template></label>
        <p class="help" id="code-help"><xsl:call-template name="m"><xsl:with-param name="key">track.code-help</xsl:with-param></xsl:call-template></p>
        <input type="text" id="code" name="code" value="{@value}" autocomplete="off" spellcheck="false" autocapitalize="characters">
          <xsl:attribute name="aria-describedby">code-help<xsl:if test="v:error"> code-error</xsl:if></xsl:attribute>
          <xsl:if test="v:error"><xsl:attribute name="aria-invalid">true</xsl:attribute></xsl:if>
        </input>
      </div>
      <p><button type="submit" class="button"><xsl:call-template name="m"><xsl:with-param name="key">track.submit</xsl:with-param></xsl:call-template></button></p>
    </form>
  </xsl:template>

  <xsl:template match="v:tracking">
    <dl class="receipt">
      <dt><xsl:call-template name="m"><xsl:with-param name="key">receipt.service</xsl:with-param></xsl:call-template></dt>
      <dd><xsl:value-of select="v:service"/></dd>
      <dt><xsl:call-template name="m"><xsl:with-param name="key">track.state</xsl:with-param></xsl:call-template></dt>
      <dd id="state" class="state state-{@state}"><xsl:value-of select="v:state"/></dd>
      <dt><xsl:call-template name="m"><xsl:with-param name="key">track.due-date</xsl:with-param></xsl:call-template></dt>
      <dd><time datetime="{@due-date}"><xsl:value-of select="v:due-date"/></time></dd>
    </dl>
    <h2><xsl:call-template name="m"><xsl:with-param name="key">track.steps</xsl:with-param></xsl:call-template></h2>
    <ol class="steps">
      <xsl:for-each select="v:steps/v:step">
        <li>
          <xsl:attribute name="class">step<xsl:if test="@done = 'true'"> done</xsl:if><xsl:if test="@current = 'true'"> current</xsl:if></xsl:attribute>
          <xsl:if test="@current = 'true'"><xsl:attribute name="aria-current">step</xsl:attribute></xsl:if>
          <span class="label"><xsl:value-of select="v:label"/></span>
          <xsl:text> </xsl:text>
          <span class="when">
            <xsl:choose>
              <xsl:when test="@date"><time datetime="{@date}"><xsl:value-of select="v:when"/></time></xsl:when>
              <xsl:otherwise><xsl:value-of select="v:when"/></xsl:otherwise>
            </xsl:choose>
          </span>
          <xsl:if test="@current = 'true'">
            <span class="current-mark"> (<xsl:call-template name="m"><xsl:with-param name="key">track.current</xsl:with-param></xsl:call-template>)</span>
          </xsl:if>
        </li>
      </xsl:for-each>
    </ol>
    <xsl:for-each select="v:files | v:town-files">
      <h2><xsl:call-template name="m"><xsl:with-param name="key" select="concat('track.', local-name())"/></xsl:call-template></h2>
      <ul class="files">
        <xsl:for-each select="v:file">
          <li><a href="{@href}" download=""><xsl:value-of select="."/></a> (<xsl:value-of select="@size"/>)</li>
        </xsl:for-each>
      </ul>
    </xsl:for-each>
    <xsl:apply-templates select="v:documents"/>
    <xsl:apply-templates select="v:correct | v:replies | v:reply"/>
  </xsl:template>
</xsl:stylesheet>
