<?xml version="1.0" encoding="UTF-8"?>
<!-- The exchange API's accounts: the business applications allowed to call /T/exchange, their rights per department, the form to add one (v:exchange-accounts), and one account to change (v:exchange-account). -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">
  <xsl:include href="bo-layout.xsl"/>

  <xsl:template name="content">
    <xsl:for-each select="v:exchange-accounts">
      <p><a href="{@back}"><xsl:call-template name="m"><xsl:with-param name="key">bo.agent.back</xsl:with-param></xsl:call-template></a></p>
      <xsl:for-each select="v:notice">
        <div class="notice {@kind}" role="status"><p><xsl:value-of select="."/></p></div>
      </xsl:for-each>
      <p><xsl:call-template name="m"><xsl:with-param name="key">bo.exchange.help</xsl:with-param></xsl:call-template></p>
      <p><a href="{@doc}"><xsl:call-template name="m"><xsl:with-param name="key">bo.exchange.doc</xsl:with-param></xsl:call-template></a></p>
      <h2 id="accounts"><xsl:call-template name="m"><xsl:with-param name="key">bo.exchange.accounts</xsl:with-param></xsl:call-template></h2>
      <xsl:choose>
        <xsl:when test="v:account">
          <div class="table-scroll" tabindex="0" role="region">
            <xsl:attribute name="aria-label"><xsl:value-of select="key('message', 'bo.exchange.accounts')"/></xsl:attribute>
            <table class="agents">
              <caption class="visually-hidden"><xsl:call-template name="m"><xsl:with-param name="key">bo.exchange.accounts</xsl:with-param></xsl:call-template></caption>
              <thead>
                <tr>
                  <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.login</xsl:with-param></xsl:call-template></th>
                  <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.exchange.name</xsl:with-param></xsl:call-template></th>
                  <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.roles</xsl:with-param></xsl:call-template></th>
                  <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.agent.active</xsl:with-param></xsl:call-template></th>
                </tr>
              </thead>
              <tbody>
                <xsl:variable name="departments" select="v:departments"/>
                <xsl:variable name="roles" select="v:roles"/>
                <xsl:for-each select="v:account">
                  <tr>
                    <th scope="row"><a href="{@href}"><code><xsl:value-of select="@login"/></code></a></th>
                    <td><xsl:value-of select="@name"/></td>
                    <td>
                      <ul class="roles">
                        <xsl:for-each select="v:grant">
                          <li><xsl:value-of select="$departments/v:department[@code = current()/@department]"/><xsl:text> : </xsl:text><xsl:value-of select="$roles/v:role[@code = current()/@role]"/></li>
                        </xsl:for-each>
                      </ul>
                    </td>
                    <td>
                      <xsl:call-template name="m">
                        <xsl:with-param name="key"><xsl:choose><xsl:when test="@active = 'true'">bo.exchange.on</xsl:when><xsl:otherwise>bo.exchange.off</xsl:otherwise></xsl:choose></xsl:with-param>
                      </xsl:call-template>
                    </td>
                  </tr>
                </xsl:for-each>
              </tbody>
            </table>
          </div>
        </xsl:when>
        <xsl:otherwise><p><xsl:call-template name="m"><xsl:with-param name="key">bo.exchange.none</xsl:with-param></xsl:call-template></p></xsl:otherwise>
      </xsl:choose>
      <h2 id="new-account"><xsl:call-template name="m"><xsl:with-param name="key">bo.exchange.new</xsl:with-param></xsl:call-template></h2>
      <xsl:call-template name="account-form"/>
    </xsl:for-each>
    <xsl:for-each select="v:exchange-account">
      <p><a href="{@back}"><xsl:call-template name="m"><xsl:with-param name="key">bo.exchange.back</xsl:with-param></xsl:call-template></a></p>
      <xsl:call-template name="account-form"/>
    </xsl:for-each>
  </xsl:template>

  <xsl:template name="account-form">
    <xsl:variable name="form" select="v:account-form"/>
    <xsl:variable name="existing" select="boolean($form/@active)"/>
    <xsl:if test="$form/v:error">
      <div class="error-summary" role="alert" tabindex="-1" id="error-summary">
        <h3><xsl:call-template name="m"><xsl:with-param name="key">form.errors.title</xsl:with-param></xsl:call-template></h3>
        <ul>
          <xsl:for-each select="$form/v:error"><li><a href="#account-{@field}"><xsl:value-of select="."/></a></li></xsl:for-each>
        </ul>
      </div>
    </xsl:if>
    <form method="post" action="{@action}" class="agent-form" novalidate="novalidate">
      <input type="hidden" name="_token" value="{@token}"/>
      <xsl:if test="not($existing)">
        <xsl:call-template name="account-input">
          <xsl:with-param name="field">login</xsl:with-param>
          <xsl:with-param name="value" select="$form/@login"/>
          <xsl:with-param name="label">bo.admin.login</xsl:with-param>
        </xsl:call-template>
      </xsl:if>
      <xsl:call-template name="account-input">
        <xsl:with-param name="field">name</xsl:with-param>
        <xsl:with-param name="value" select="$form/@name"/>
        <xsl:with-param name="label">bo.exchange.name</xsl:with-param>
      </xsl:call-template>
      <xsl:call-template name="account-input">
        <xsl:with-param name="field">password</xsl:with-param>
        <xsl:with-param name="type">password</xsl:with-param>
        <xsl:with-param name="optional" select="$existing"/>
        <xsl:with-param name="label"><xsl:choose><xsl:when test="$existing">bo.agent.new-password</xsl:when><xsl:otherwise>bo.admin.password</xsl:otherwise></xsl:choose></xsl:with-param>
        <xsl:with-param name="help">bo.exchange.password-help</xsl:with-param>
      </xsl:call-template>
      <xsl:if test="$existing">
        <div class="choice single">
          <input type="checkbox" id="account-active" name="active" value="yes">
            <xsl:if test="$form/@active = 'true'"><xsl:attribute name="checked">checked</xsl:attribute></xsl:if>
          </input>
          <label for="account-active"><xsl:call-template name="m"><xsl:with-param name="key">bo.exchange.active</xsl:with-param></xsl:call-template></label>
        </div>
      </xsl:if>
      <xsl:variable name="role-error" select="$form/v:error[@field = 'role']"/>
      <fieldset id="account-role">
        <xsl:attribute name="class">field grants<xsl:if test="$role-error"> has-error</xsl:if></xsl:attribute>
        <legend><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.roles</xsl:with-param></xsl:call-template></legend>
        <xsl:if test="$role-error"><p class="error-message"><xsl:value-of select="$role-error"/></p></xsl:if>
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
            <xsl:with-param name="key"><xsl:choose><xsl:when test="$existing">bo.agent.save</xsl:when><xsl:otherwise>bo.exchange.create</xsl:otherwise></xsl:choose></xsl:with-param>
          </xsl:call-template>
        </button>
      </p>
    </form>
  </xsl:template>

  <xsl:template name="account-input">
    <xsl:param name="field"/>
    <xsl:param name="value"/>
    <xsl:param name="type">text</xsl:param>
    <xsl:param name="optional" select="false()"/>
    <xsl:param name="label"/>
    <xsl:param name="help"/>
    <xsl:variable name="error" select="v:account-form/v:error[@field = $field]"/>
    <div>
      <xsl:attribute name="class">field<xsl:if test="$error"> has-error</xsl:if></xsl:attribute>
      <label for="account-{$field}"><xsl:call-template name="m"><xsl:with-param name="key" select="$label"/></xsl:call-template>
        <xsl:if test="not($optional)"><xsl:text> </xsl:text><span class="required">(<xsl:call-template name="m"><xsl:with-param name="key">form.required</xsl:with-param></xsl:call-template>)</span></xsl:if></label>
      <xsl:if test="$help"><p class="hint" id="account-{$field}-help"><xsl:call-template name="m"><xsl:with-param name="key" select="$help"/></xsl:call-template></p></xsl:if>
      <xsl:if test="$error"><p class="error-message" id="account-{$field}-error"><xsl:value-of select="$error"/></p></xsl:if>
      <input type="{$type}" id="account-{$field}" name="{$field}" value="{$value}" autocomplete="off">
        <xsl:if test="$type = 'password'"><xsl:attribute name="autocomplete">new-password</xsl:attribute></xsl:if>
        <xsl:if test="$error"><xsl:attribute name="aria-invalid">true</xsl:attribute></xsl:if>
        <xsl:if test="$error or $help">
          <xsl:attribute name="aria-describedby"><xsl:if test="$help">account-<xsl:value-of select="$field"/>-help</xsl:if><xsl:if test="$error and $help"><xsl:text> </xsl:text></xsl:if><xsl:if test="$error">account-<xsl:value-of select="$field"/>-error</xsl:if></xsl:attribute>
        </xsl:if>
      </input>
    </div>
  </xsl:template>
</xsl:stylesheet>
