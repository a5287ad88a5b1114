<?xml version="1.0" encoding="UTF-8"?>
<!-- The citizen's account: every page is a few blocks (notices, headings,
     paragraphs, forms of plain inputs, links, requests with their steps). -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">
  <xsl:include href="layout.xsl"/>
  <xsl:include href="conversation.xsl"/>

  <xsl:template name="content">
    <xsl:apply-templates select="v:account"/>
  </xsl:template>

  <xsl:template match="v:account">
    <xsl:if test="v:nav">
      <nav class="account-nav">
        <xsl:attribute name="aria-label"><xsl:call-template name="m"><xsl:with-param name="key">account.nav.label</xsl:with-param></xsl:call-template></xsl:attribute>
        <ul>
          <xsl:for-each select="v:nav/v:link">
            <li><a href="{@href}"><xsl:if test="@current = 'true'"><xsl:attribute name="aria-current">page</xsl:attribute></xsl:if><xsl:value-of select="."/></a></li>
          </xsl:for-each>
        </ul>
        <form method="post" action="{v:nav/@logout}" class="logout">
          <input type="hidden" name="_token" value="{v:nav/@token}"/>
          <span class="who"><xsl:value-of select="v:nav/@who"/></span>
          <xsl:text> </xsl:text>
          <button type="submit" class="button secondary"><xsl:call-template name="m"><xsl:with-param name="key">account.nav.logout</xsl:with-param></xsl:call-template></button>
        </form>
      </nav>
    </xsl:if>
    <xsl:apply-templates select="v:notice | v:heading | v:para | v:form | v:links | v:requests | v:request | v:reply"/>
  </xsl:template>

  <xsl:template match="v:notice">
    <div class="notice {@kind}">
      <xsl:choose>
        <xsl:when test="@kind = 'error'"><xsl:attribute name="role">alert</xsl:attribute></xsl:when>
        <xsl:otherwise><xsl:attribute name="role">status</xsl:attribute></xsl:otherwise>
      </xsl:choose>
      <p><xsl:value-of select="."/></p>
    </div>
  </xsl:template>

  <xsl:template match="v:heading"><h2><xsl:value-of select="."/></h2></xsl:template>

  <xsl:template match="v:para"><p><xsl:value-of select="."/></p></xsl:template>

  <xsl:template match="v:form">
    <form method="post" action="{@action}" id="{@id}" novalidate="novalidate" class="account-form">
      <xsl:if test="@target = '_top'"><xsl:attribute name="target">_top</xsl:attribute></xsl:if>
      <input type="hidden" name="_token" value="{@token}"/>
      <xsl:for-each select="v:input">
        <div class="field">
          <xsl:if test="v:error"><xsl:attribute name="class">field has-error</xsl:attribute></xsl:if>
          <label for="{@id}">
            <xsl:value-of select="v:label"/>
            <xsl:if test="@required = 'true'"><xsl:text> </xsl:text><span class="required">(<xsl:call-template name="m"><xsl:with-param name="key">form.required</xsl:with-param></xsl:call-template>)</span></xsl:if>
          </label>
          <xsl:if test="v:help"><p class="help" id="{@id}-help"><xsl:value-of select="v:help"/></p></xsl:if>
          <xsl:if test="v:error"><p class="error-message" id="{@id}-error"><xsl:value-of select="v:error"/></p></xsl:if>
          <xsl:variable name="described"><xsl:if test="v:help"><xsl:value-of select="@id"/>-help </xsl:if><xsl:if test="v:error"><xsl:value-of select="@id"/>-error</xsl:if></xsl:variable>
          <xsl:choose>
            <xsl:when test="@type = 'select'">
              <select id="{@id}" name="{@name}" autocomplete="{@autocomplete}">
                <xsl:if test="normalize-space($described)"><xsl:attribute name="aria-describedby"><xsl:value-of select="normalize-space($described)"/></xsl:attribute></xsl:if>
                <xsl:if test="v:error"><xsl:attribute name="aria-invalid">true</xsl:attribute></xsl:if>
                <xsl:for-each select="v:option">
                  <option value="{@value}"><xsl:if test="@selected = 'true'"><xsl:attribute name="selected">selected</xsl:attribute></xsl:if><xsl:value-of select="."/></option>
                </xsl:for-each>
              </select>
            </xsl:when>
            <xsl:otherwise>
              <input type="{@type}" id="{@id}" name="{@name}" value="{v:value}" autocomplete="{@autocomplete}">
                <xsl:if test="@required = 'true'"><xsl:attribute name="required">required</xsl:attribute></xsl:if>
                <xsl:if test="@type = 'email'"><xsl:attribute name="spellcheck">false</xsl:attribute></xsl:if>
                <xsl:if test="normalize-space($described)"><xsl:attribute name="aria-describedby"><xsl:value-of select="normalize-space($described)"/></xsl:attribute></xsl:if>
                <xsl:if test="v:error"><xsl:attribute name="aria-invalid">true</xsl:attribute></xsl:if>
              </input>
            </xsl:otherwise>
          </xsl:choose>
        </div>
      </xsl:for-each>
      <p><button type="submit" class="button"><xsl:value-of select="@submit"/></button></p>
    </form>
  </xsl:template>

  <xsl:template match="v:links">
    <ul class="links">
      <xsl:for-each select="v:link"><li><a href="{@href}"><xsl:value-of select="."/></a></li></xsl:for-each>
    </ul>
  </xsl:template>

  <xsl:template match="v:requests">
    <xsl:if test="v:empty"><p class="empty"><xsl:value-of select="v:empty"/></p></xsl:if>
    <xsl:if test="v:request">
      <ul class="account-requests">
        <xsl:for-each select="v:request"><li><xsl:apply-templates select="." mode="summary"/></li></xsl:for-each>
      </ul>
    </xsl:if>
  </xsl:template>

  <!-- A request in a list: its reference links to its page. -->
  <xsl:template match="v:request" mode="summary">
    <article class="account-request" aria-labelledby="r-{@reference}">
      <h2 id="r-{@reference}"><a href="{@href}"><xsl:value-of select="v:service"/> — <xsl:value-of select="@reference"/></a></h2>
      <xsl:call-template name="request-body"/>
    </article>
  </xsl:template>

  <!-- A request on its own page: with the town's messages. -->
  <xsl:template match="v:request">
    <p class="reference"><xsl:value-of select="v:service"/> — <xsl:value-of select="@reference"/></p>
    <xsl:call-template name="request-body"/>
    <xsl:apply-templates select="v:correct | v:replies"/>
  </xsl:template>

  <xsl:template name="request-body">
    <p><span class="state state-{@state}"><xsl:value-of select="v:state"/></span> · <xsl:value-of select="v:dates"/></p>
    <ol class="steps">
      <xsl:attribute name="aria-label"><xsl:call-template name="m"><xsl:with-param name="key">account.request.steps</xsl:with-param></xsl:call-template></xsl:attribute>
      <xsl:for-each select="v:step">
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
        </li>
      </xsl:for-each>
    </ol>
  </xsl:template>
</xsl:stylesheet>
