<?xml version="1.0" encoding="UTF-8"?>
<!-- The form of an agent's account, new (v:admin) or existing (v:agent-edit):
  called with the context node holding v:departments, v:roles and
  v:agent-form, and the @action and @token of the post. Included by
  bo-admin.xsl and bo-agent.xsl. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">

  <xsl:template name="agent-form">
    <xsl:variable name="form" select="v:agent-form"/>
    <xsl:variable name="existing" select="boolean($form/@active)"/>
    <xsl:if test="$form/v:error">
      <div class="error-summary" role="alert" tabindex="-1" id="error-summary">
        <h3><xsl:call-template name="m"><xsl:with-param name="key">form.errors.title</xsl:with-param></xsl:call-template></h3>
        <ul>
          <xsl:for-each select="$form/v:error">
            <li><a href="#agent-{@field}"><xsl:value-of select="."/></a></li>
          </xsl:for-each>
        </ul>
      </div>
    </xsl:if>
    <form method="post" action="{@action}" class="agent-form" novalidate="novalidate">
      <input type="hidden" name="_token" value="{@token}"/>
      <xsl:if test="not($existing)">
        <xsl:call-template name="agent-input">
          <xsl:with-param name="field">login</xsl:with-param>
          <xsl:with-param name="value" select="$form/@login"/>
          <xsl:with-param name="autocomplete">off</xsl:with-param>
        </xsl:call-template>
      </xsl:if>
      <xsl:call-template name="agent-input">
        <xsl:with-param name="field">name</xsl:with-param>
        <xsl:with-param name="value" select="$form/@name"/>
        <xsl:with-param name="autocomplete">off</xsl:with-param>
      </xsl:call-template>
      <xsl:call-template name="agent-input">
        <xsl:with-param name="field">email</xsl:with-param>
        <xsl:with-param name="value" select="$form/@email"/>
        <xsl:with-param name="type">email</xsl:with-param>
        <xsl:with-param name="autocomplete">off</xsl:with-param>
        <xsl:with-param name="optional" select="true()"/>
      </xsl:call-template>
      <xsl:call-template name="agent-input">
        <xsl:with-param name="field">password</xsl:with-param>
        <xsl:with-param name="type">password</xsl:with-param>
        <xsl:with-param name="autocomplete">new-password</xsl:with-param>
        <xsl:with-param name="optional" select="$existing"/>
        <xsl:with-param name="label">
          <xsl:choose>
            <xsl:when test="$existing">bo.agent.new-password</xsl:when>
            <xsl:otherwise>bo.admin.password</xsl:otherwise>
          </xsl:choose>
        </xsl:with-param>
      </xsl:call-template>
      <xsl:call-template name="agent-check">
        <xsl:with-param name="field">admin</xsl:with-param>
        <xsl:with-param name="checked" select="$form/@admin = 'true'"/>
        <xsl:with-param name="label">bo.admin.administrator</xsl:with-param>
      </xsl:call-template>
      <xsl:if test="$existing">
        <xsl:call-template name="agent-check">
          <xsl:with-param name="field">active</xsl:with-param>
          <xsl:with-param name="checked" select="$form/@active = 'true'"/>
          <xsl:with-param name="label">bo.agent.active</xsl:with-param>
          <xsl:with-param name="help">bo.agent.active-help</xsl:with-param>
        </xsl:call-template>
      </xsl:if>
      <fieldset class="field grants" id="agent-role">
        <legend><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.roles</xsl:with-param></xsl:call-template></legend>
        <xsl:variable name="roles" select="v:roles/v:role"/>
        <xsl:for-each select="v:departments/v:department">
          <xsl:variable name="dept" select="@code"/>
          <fieldset class="department">
            <legend><xsl:value-of select="."/></legend>
            <xsl:for-each select="$roles">
              <div class="choice">
                <input type="checkbox" id="role-{$dept}-{@code}" name="role" value="{$dept}:{@code}">
                  <xsl:if test="$form/v:grant[@department = $dept and @role = current()/@code]"><xsl:attribute name="checked">checked</xsl:attribute></xsl:if>
                </input>
                <label for="role-{$dept}-{@code}"><xsl:value-of select="."/></label>
              </div>
            </xsl:for-each>
          </fieldset>
        </xsl:for-each>
      </fieldset>
      <p>
        <button type="submit" class="button">
          <xsl:call-template name="m">
            <xsl:with-param name="key">
              <xsl:choose>
                <xsl:when test="$existing">bo.agent.save</xsl:when>
                <xsl:otherwise>bo.admin.create</xsl:otherwise>
              </xsl:choose>
            </xsl:with-param>
          </xsl:call-template>
        </button>
      </p>
    </form>
  </xsl:template>

  <xsl:template name="agent-input">
    <xsl:param name="field"/>
    <xsl:param name="value"/>
    <xsl:param name="type">text</xsl:param>
    <xsl:param name="autocomplete"/>
    <xsl:param name="optional" select="false()"/>
    <xsl:param name="label" select="concat('bo.admin.', $field)"/>
    <xsl:variable name="error" select="v:agent-form/v:error[@field = $field]"/>
    <div>
      <xsl:attribute name="class">field<xsl:if test="$error"> has-error</xsl:if></xsl:attribute>
      <label for="agent-{$field}"><xsl:call-template name="m"><xsl:with-param name="key" select="$label"/></xsl:call-template>
        <xsl:if test="not($optional)"><xsl:text> </xsl:text><span class="required">(<xsl:call-template name="m"><xsl:with-param name="key">form.required</xsl:with-param></xsl:call-template>)</span></xsl:if></label>
      <xsl:if test="$error"><p class="error-message" id="agent-{$field}-error"><xsl:value-of select="$error"/></p></xsl:if>
      <input type="{$type}" id="agent-{$field}" name="{$field}" value="{$value}" autocomplete="{$autocomplete}">
        <xsl:if test="$error">
          <xsl:attribute name="aria-invalid">true</xsl:attribute>
          <xsl:attribute name="aria-describedby">agent-<xsl:value-of select="$field"/>-error</xsl:attribute>
        </xsl:if>
      </input>
    </div>
  </xsl:template>

  <xsl:template name="agent-check">
    <xsl:param name="field"/>
    <xsl:param name="checked"/>
    <xsl:param name="label"/>
    <xsl:param name="help"/>
    <xsl:variable name="error" select="v:agent-form/v:error[@field = $field]"/>
    <div>
      <xsl:attribute name="class">choice single<xsl:if test="$error"> has-error</xsl:if></xsl:attribute>
      <xsl:if test="$error"><p class="error-message" id="agent-{$field}-error"><xsl:value-of select="$error"/></p></xsl:if>
      <input type="checkbox" id="agent-{$field}" name="{$field}" value="yes">
        <xsl:if test="$checked"><xsl:attribute name="checked">checked</xsl:attribute></xsl:if>
        <xsl:if test="$error or $help">
          <xsl:attribute name="aria-describedby">
            <xsl:if test="$error">agent-<xsl:value-of select="$field"/>-error</xsl:if>
            <xsl:if test="$error and $help"><xsl:text> </xsl:text></xsl:if>
            <xsl:if test="$help">agent-<xsl:value-of select="$field"/>-help</xsl:if>
          </xsl:attribute>
        </xsl:if>
        <xsl:if test="$error"><xsl:attribute name="aria-invalid">true</xsl:attribute></xsl:if>
      </input>
      <label for="agent-{$field}"><xsl:call-template name="m"><xsl:with-param name="key" select="$label"/></xsl:call-template></label>
      <xsl:if test="$help"><p class="help" id="agent-{$field}-help"><xsl:call-template name="m"><xsl:with-param name="key" select="$help"/></xsl:call-template></p></xsl:if>
    </div>
  </xsl:template>
</xsl:stylesheet>
