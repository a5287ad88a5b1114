<?xml version="1.0" encoding="UTF-8"?>
<!-- Administration: the agents and their roles, and the form to add one. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">
  <xsl:include href="bo-layout.xsl"/>

  <xsl:template name="content">
    <xsl:apply-templates select="v:admin"/>
  </xsl:template>

  <xsl:template match="v:admin">
    <xsl:apply-templates select="v:notice"/>
    <h2><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.agents</xsl:with-param></xsl:call-template></h2>
    <div class="table-scroll" tabindex="0" role="region">
      <xsl:attribute name="aria-label"><xsl:value-of select="key('message', 'bo.admin.agents')"/></xsl:attribute>
      <table class="agents">
        <caption class="visually-hidden"><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.agents</xsl:with-param></xsl:call-template></caption>
        <thead>
          <tr>
            <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.login</xsl:with-param></xsl:call-template></th>
            <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.name</xsl:with-param></xsl:call-template></th>
            <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.rights</xsl:with-param></xsl:call-template></th>
          </tr>
        </thead>
        <tbody>
          <xsl:for-each select="v:agents/v:agent">
            <tr>
              <th scope="row"><xsl:value-of select="@login"/></th>
              <td><xsl:value-of select="v:name"/><xsl:if test="v:email"><br/><xsl:value-of select="v:email"/></xsl:if></td>
              <td>
                <xsl:if test="@admin = 'true'"><p class="tag admin"><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.administrator</xsl:with-param></xsl:call-template></p></xsl:if>
                <xsl:if test="v:role">
                  <ul class="roles"><xsl:for-each select="v:role"><li><xsl:value-of select="."/></li></xsl:for-each></ul>
                </xsl:if>
              </td>
            </tr>
          </xsl:for-each>
        </tbody>
      </table>
    </div>

    <xsl:for-each select="v:failures">
      <h2><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.failures</xsl:with-param></xsl:call-template></h2>
      <p><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.failures-help</xsl:with-param></xsl:call-template></p>
      <xsl:call-template name="deliveries">
        <xsl:with-param name="title" select="key('message', 'bo.admin.failures')"/>
        <xsl:with-param name="id">failures-caption</xsl:with-param>
      </xsl:call-template>
    </xsl:for-each>
    <h2 id="new-agent"><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.new</xsl:with-param></xsl:call-template></h2>
    <xsl:variable name="form" select="v:new-agent"/>
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
    <form method="post" action="{@action}" class="new-agent" novalidate="novalidate">
      <input type="hidden" name="_token" value="{@token}"/>
      <xsl:call-template name="input">
        <xsl:with-param name="field">login</xsl:with-param>
        <xsl:with-param name="value" select="$form/@login"/>
        <xsl:with-param name="autocomplete">off</xsl:with-param>
      </xsl:call-template>
      <xsl:call-template name="input">
        <xsl:with-param name="field">name</xsl:with-param>
        <xsl:with-param name="value" select="$form/@name"/>
        <xsl:with-param name="autocomplete">off</xsl:with-param>
      </xsl:call-template>
      <xsl:call-template name="input">
        <xsl:with-param name="field">email</xsl:with-param>
        <xsl:with-param name="value" select="$form/@email"/>
        <xsl:with-param name="type">email</xsl:with-param>
        <xsl:with-param name="autocomplete">off</xsl:with-param>
        <xsl:with-param name="optional" select="true()"/>
      </xsl:call-template>
      <xsl:call-template name="input">
        <xsl:with-param name="field">password</xsl:with-param>
        <xsl:with-param name="type">password</xsl:with-param>
        <xsl:with-param name="autocomplete">new-password</xsl:with-param>
      </xsl:call-template>
      <div class="choice single">
        <input type="checkbox" id="agent-admin" name="admin" value="yes">
          <xsl:if test="$form/@admin = 'true'"><xsl:attribute name="checked">checked</xsl:attribute></xsl:if>
        </input>
        <label for="agent-admin"><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.administrator</xsl:with-param></xsl:call-template></label>
      </div>
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
      <p><button type="submit" class="button"><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.create</xsl:with-param></xsl:call-template></button></p>
    </form>
  </xsl:template>

  <xsl:template name="input">
    <xsl:param name="field"/>
    <xsl:param name="value"/>
    <xsl:param name="type">text</xsl:param>
    <xsl:param name="autocomplete"/>
    <xsl:param name="optional" select="false()"/>
    <xsl:variable name="error" select="v:new-agent/v:error[@field = $field]"/>
    <div>
      <xsl:attribute name="class">field<xsl:if test="$error"> has-error</xsl:if></xsl:attribute>
      <label for="agent-{$field}"><xsl:call-template name="m"><xsl:with-param name="key" select="concat('bo.admin.', $field)"/></xsl:call-template>
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
</xsl:stylesheet>
