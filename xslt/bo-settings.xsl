<?xml version="1.0" encoding="UTF-8"?>
<!-- The town's settings (administrators): name and site, colours, e-mail sender, deadline notices. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">
  <xsl:include href="bo-layout.xsl"/>

  <xsl:template name="content">
    <xsl:for-each select="v:settings-edit">
      <xsl:variable name="form" select="v:settings-form"/>
      <p><a href="{@back}"><xsl:call-template name="m"><xsl:with-param name="key">bo.agent.back</xsl:with-param></xsl:call-template></a></p>
      <xsl:apply-templates select="v:notice"/>
      <xsl:if test="$form/v:error">
        <div class="error-summary" role="alert" tabindex="-1" id="error-summary">
          <h2><xsl:call-template name="m"><xsl:with-param name="key">form.errors.title</xsl:with-param></xsl:call-template></h2>
          <ul>
            <xsl:for-each select="$form/v:error">
              <li><a href="#settings-{@field}"><xsl:value-of select="."/></a></li>
            </xsl:for-each>
          </ul>
        </div>
      </xsl:if>
      <p><xsl:call-template name="m"><xsl:with-param name="key">bo.settings.help</xsl:with-param></xsl:call-template></p>
      <form method="post" action="{@action}" class="agent-form settings-form" novalidate="novalidate">
        <input type="hidden" name="_token" value="{@token}"/>
        <fieldset>
          <legend><xsl:call-template name="m"><xsl:with-param name="key">bo.settings.identity</xsl:with-param></xsl:call-template></legend>
          <xsl:call-template name="settings-field">
            <xsl:with-param name="field">name</xsl:with-param>
            <xsl:with-param name="value" select="$form/@name"/>
            <xsl:with-param name="required" select="true()"/>
          </xsl:call-template>
          <xsl:call-template name="settings-field">
            <xsl:with-param name="field">site_url</xsl:with-param>
            <xsl:with-param name="type">url</xsl:with-param>
            <xsl:with-param name="value" select="$form/@site-url"/>
          </xsl:call-template>
        </fieldset>
        <fieldset>
          <legend><xsl:call-template name="m"><xsl:with-param name="key">bo.settings.colours</xsl:with-param></xsl:call-template></legend>
          <p class="help"><xsl:call-template name="m"><xsl:with-param name="key">bo.settings.colours-help</xsl:with-param></xsl:call-template></p>
          <div class="colours">
            <xsl:for-each select="$form/v:colour">
              <xsl:variable name="error" select="$form/v:error[@field = current()/@field]"/>
              <div>
                <xsl:attribute name="class">field colour<xsl:if test="$error"> has-error</xsl:if></xsl:attribute>
                <label for="settings-{@field}"><xsl:value-of select="."/></label>
                <xsl:if test="$error"><p class="error-message" id="settings-{@field}-error"><xsl:value-of select="$error"/></p></xsl:if>
                <input type="color" id="settings-{@field}" name="{@field}" value="{@value}">
                  <xsl:if test="$error">
                    <xsl:attribute name="aria-invalid">true</xsl:attribute>
                    <xsl:attribute name="aria-describedby">settings-<xsl:value-of select="@field"/>-error</xsl:attribute>
                  </xsl:if>
                </input>
              </div>
            </xsl:for-each>
          </div>
        </fieldset>
        <fieldset>
          <legend><xsl:call-template name="m"><xsl:with-param name="key">bo.settings.mail</xsl:with-param></xsl:call-template></legend>
          <xsl:call-template name="settings-field">
            <xsl:with-param name="field">mail_from</xsl:with-param>
            <xsl:with-param name="value" select="$form/@mail-from"/>
            <xsl:with-param name="help" select="true()"/>
          </xsl:call-template>
          <xsl:call-template name="settings-field">
            <xsl:with-param name="field">reply_to</xsl:with-param>
            <xsl:with-param name="type">email</xsl:with-param>
            <xsl:with-param name="value" select="$form/@reply-to"/>
          </xsl:call-template>
        </fieldset>
        <fieldset>
          <legend><xsl:call-template name="m"><xsl:with-param name="key">bo.settings.deadlines</xsl:with-param></xsl:call-template></legend>
          <xsl:call-template name="settings-field">
            <xsl:with-param name="field">reminder_percent</xsl:with-param>
            <xsl:with-param name="type">number</xsl:with-param>
            <xsl:with-param name="value" select="$form/@reminder-percent"/>
            <xsl:with-param name="required" select="true()"/>
            <xsl:with-param name="help" select="true()"/>
          </xsl:call-template>
          <xsl:call-template name="settings-field">
            <xsl:with-param name="field">admin_after_days</xsl:with-param>
            <xsl:with-param name="type">number</xsl:with-param>
            <xsl:with-param name="value" select="$form/@admin-after-days"/>
            <xsl:with-param name="required" select="true()"/>
            <xsl:with-param name="help" select="true()"/>
          </xsl:call-template>
        </fieldset>
        <fieldset>
          <legend><xsl:call-template name="m"><xsl:with-param name="key">bo.settings.satisfaction</xsl:with-param></xsl:call-template></legend>
          <div class="field choice single">
            <input type="checkbox" id="settings-satisfaction" name="satisfaction" value="on" aria-describedby="settings-satisfaction-help">
              <xsl:if test="$form/@satisfaction = 'true'"><xsl:attribute name="checked">checked</xsl:attribute></xsl:if>
            </input>
            <label for="settings-satisfaction"><xsl:call-template name="m"><xsl:with-param name="key">bo.settings.satisfaction-ask</xsl:with-param></xsl:call-template></label>
            <p class="help" id="settings-satisfaction-help"><xsl:call-template name="m"><xsl:with-param name="key">bo.settings.satisfaction-help</xsl:with-param></xsl:call-template></p>
          </div>
          <xsl:call-template name="settings-field">
            <xsl:with-param name="field">satisfaction_days</xsl:with-param>
            <xsl:with-param name="type">number</xsl:with-param>
            <xsl:with-param name="value" select="$form/@satisfaction-days"/>
            <xsl:with-param name="help" select="true()"/>
          </xsl:call-template>
          <xsl:variable name="services-error" select="$form/v:error[@field = 'satisfaction_service']"/>
          <fieldset id="settings-satisfaction-services">
            <xsl:if test="$services-error"><xsl:attribute name="class">invalid</xsl:attribute><xsl:attribute name="aria-describedby">settings-satisfaction-services-error</xsl:attribute></xsl:if>
            <legend><xsl:call-template name="m"><xsl:with-param name="key">bo.settings.satisfaction-services</xsl:with-param></xsl:call-template></legend>
            <xsl:if test="$services-error"><p class="error" id="settings-satisfaction-services-error"><xsl:value-of select="$services-error"/></p></xsl:if>
            <ul class="checks">
              <xsl:for-each select="$form/v:asked-service">
                <li class="check">
                  <input type="checkbox" name="satisfaction_service" value="{@code}" id="asked-{@code}">
                    <xsl:if test="@checked = 'true'"><xsl:attribute name="checked">checked</xsl:attribute></xsl:if>
                  </input>
                  <label for="asked-{@code}"><xsl:value-of select="."/></label>
                </li>
              </xsl:for-each>
            </ul>
          </fieldset>
        </fieldset>
        <p><button type="submit" class="button"><xsl:call-template name="m"><xsl:with-param name="key">bo.settings.save</xsl:with-param></xsl:call-template></button></p>
      </form>
    </xsl:for-each>
  </xsl:template>

  <xsl:template name="settings-field">
    <xsl:param name="field"/>
    <xsl:param name="type">text</xsl:param>
    <xsl:param name="value"/>
    <xsl:param name="required" select="false()"/>
    <xsl:param name="help" select="false()"/>
    <xsl:variable name="error" select="v:settings-form/v:error[@field = $field]"/>
    <div>
      <xsl:attribute name="class">field<xsl:if test="$error"> has-error</xsl:if></xsl:attribute>
      <label for="settings-{$field}"><xsl:call-template name="m"><xsl:with-param name="key" select="concat('bo.settings.', $field)"/></xsl:call-template>
        <xsl:if test="$required"><xsl:text> </xsl:text><span class="required">(<xsl:call-template name="m"><xsl:with-param name="key">form.required</xsl:with-param></xsl:call-template>)</span></xsl:if></label>
      <xsl:if test="$help"><p class="help" id="settings-{$field}-help"><xsl:call-template name="m"><xsl:with-param name="key" select="concat('bo.settings.', $field, '-help')"/></xsl:call-template></p></xsl:if>
      <xsl:if test="$error"><p class="error-message" id="settings-{$field}-error"><xsl:value-of select="$error"/></p></xsl:if>
      <input type="{$type}" id="settings-{$field}" name="{$field}" value="{$value}">
        <xsl:if test="$type = 'number'"><xsl:attribute name="inputmode">numeric</xsl:attribute></xsl:if>
        <xsl:if test="$error or $help">
          <xsl:attribute name="aria-describedby">
            <xsl:if test="$help">settings-<xsl:value-of select="$field"/>-help</xsl:if>
            <xsl:if test="$error and $help"><xsl:text> </xsl:text></xsl:if>
            <xsl:if test="$error">settings-<xsl:value-of select="$field"/>-error</xsl:if>
          </xsl:attribute>
        </xsl:if>
        <xsl:if test="$error"><xsl:attribute name="aria-invalid">true</xsl:attribute></xsl:if>
      </input>
    </div>
  </xsl:template>
</xsl:stylesheet>
