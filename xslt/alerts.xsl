<?xml version="1.0" encoding="UTF-8"?>
<!-- The town's alerts page: its lists as checkboxes, an e-mail address, one
     button (each error next to its field); how to subscribe by SMS with each
     list's keyword and leave with STOP; once sent, what was sent. The links'
     pages (subscription confirmed, a button to leave, left) say where the
     subscription stands. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">
  <xsl:include href="layout.xsl"/>

  <xsl:template name="content">
    <xsl:apply-templates select="v:alerts | v:subscription"/>
  </xsl:template>

  <xsl:template match="v:subscription">
    <div class="notice" role="status">
      <xsl:if test="@state = 'confirmed' or @state = 'left'"><xsl:attribute name="class">notice success</xsl:attribute></xsl:if>
      <p><xsl:value-of select="v:said"/></p>
    </div>
    <xsl:if test="@action">
      <form method="post" action="{@action}" class="alerts-leave">
        <p><xsl:call-template name="m"><xsl:with-param name="key">alerts.leave.help</xsl:with-param></xsl:call-template><xsl:text> </xsl:text><strong><xsl:value-of select="v:address"/></strong></p>
        <p><button type="submit" class="button"><xsl:call-template name="m"><xsl:with-param name="key">alerts.leave.submit</xsl:with-param></xsl:call-template></button></p>
      </form>
    </xsl:if>
    <p><a href="{@again}"><xsl:call-template name="m"><xsl:with-param name="key">alerts.back</xsl:with-param></xsl:call-template></a></p>
  </xsl:template>

  <xsl:template match="v:alerts">
    <p class="lead"><xsl:call-template name="m"><xsl:with-param name="key">alerts.intro</xsl:with-param></xsl:call-template></p>
    <xsl:if test="v:sent">
      <div class="notice success" role="status">
        <xsl:for-each select="v:sent"><p><xsl:value-of select="."/></p></xsl:for-each>
      </div>
    </xsl:if>
    <xsl:if test="v:error">
      <div class="notice error" role="alert" id="alerts-errors">
        <p>
          <xsl:choose>
            <xsl:when test="v:error[@field = 'form']"><xsl:value-of select="v:error[@field = 'form']"/></xsl:when>
            <xsl:otherwise><xsl:call-template name="m"><xsl:with-param name="key">alerts.errors</xsl:with-param></xsl:call-template></xsl:otherwise>
          </xsl:choose>
        </p>
      </div>
    </xsl:if>
    <h2><xsl:call-template name="m"><xsl:with-param name="key">alerts.by-email</xsl:with-param></xsl:call-template></h2>
    <form method="post" action="{@action}" class="alerts" novalidate="novalidate">
      <input type="hidden" name="_token" value="{@token}"/>
      <fieldset class="field choices" id="alerts-lists">
        <xsl:if test="v:error[@field = 'list']">
          <xsl:attribute name="class">field choices has-error</xsl:attribute>
          <xsl:attribute name="aria-describedby">list-error</xsl:attribute>
        </xsl:if>
        <legend><xsl:call-template name="m"><xsl:with-param name="key">alerts.lists</xsl:with-param></xsl:call-template></legend>
        <xsl:for-each select="v:error[@field = 'list']">
          <p class="error-message" id="list-error"><xsl:value-of select="."/></p>
        </xsl:for-each>
        <xsl:for-each select="v:list">
          <div class="choice">
            <input type="checkbox" id="list-{@code}" name="list" value="{@code}">
              <xsl:if test="v:description"><xsl:attribute name="aria-describedby">list-<xsl:value-of select="@code"/>-help</xsl:attribute></xsl:if>
              <xsl:if test="@checked = 'true'"><xsl:attribute name="checked">checked</xsl:attribute></xsl:if>
            </input>
            <label for="list-{@code}"><xsl:value-of select="v:name"/></label>
            <xsl:for-each select="v:description">
              <p class="help" id="list-{../@code}-help"><xsl:value-of select="."/></p>
            </xsl:for-each>
          </div>
        </xsl:for-each>
      </fieldset>
      <div class="field">
        <xsl:if test="v:error[@field = 'email']"><xsl:attribute name="class">field has-error</xsl:attribute></xsl:if>
        <label for="alerts-email"><xsl:call-template name="m"><xsl:with-param name="key">alerts.email</xsl:with-param></xsl:call-template></label>
        <p class="help" id="alerts-email-help"><xsl:call-template name="m"><xsl:with-param name="key">alerts.email.help</xsl:with-param></xsl:call-template></p>
        <xsl:for-each select="v:error[@field = 'email']">
          <p class="error-message" id="alerts-email-error"><xsl:value-of select="."/></p>
        </xsl:for-each>
        <input type="email" id="alerts-email" name="email" value="{v:email}" autocomplete="email" spellcheck="false">
          <xsl:attribute name="aria-describedby">alerts-email-help<xsl:if test="v:error[@field = 'email']"> alerts-email-error</xsl:if></xsl:attribute>
          <xsl:if test="v:error[@field = 'email']"><xsl:attribute name="aria-invalid">true</xsl:attribute></xsl:if>
        </input>
      </div>
      <p><button type="submit" class="button"><xsl:call-template name="m"><xsl:with-param name="key">alerts.submit</xsl:with-param></xsl:call-template></button></p>
    </form>
    <xsl:if test="@sms-number and v:list[@keyword]">
      <h2><xsl:call-template name="m"><xsl:with-param name="key">alerts.by-sms</xsl:with-param></xsl:call-template></h2>
      <p>
        <xsl:call-template name="m"><xsl:with-param name="key">alerts.sms.help</xsl:with-param></xsl:call-template>
        <xsl:text> </xsl:text><strong><xsl:value-of select="@sms-number"/></strong>
      </p>
      <ul class="keywords">
        <xsl:for-each select="v:list[@keyword]">
          <li><strong lang="fr"><xsl:value-of select="@keyword"/></strong><xsl:text> — </xsl:text><xsl:value-of select="v:name"/></li>
        </xsl:for-each>
      </ul>
      <p><xsl:call-template name="m"><xsl:with-param name="key">alerts.sms.stop</xsl:with-param></xsl:call-template></p>
    </xsl:if>
  </xsl:template>
</xsl:stylesheet>
