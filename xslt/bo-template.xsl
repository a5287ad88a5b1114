<?xml version="1.0" encoding="UTF-8"?>
<!-- One message template at one scope (the whole town, a service, a step): the wording to change, the variables it may use, and the message filled with an example. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">
  <xsl:include href="bo-layout.xsl"/>

  <xsl:template name="content">
    <xsl:for-each select="v:template-edit">
      <xsl:variable name="form" select="v:template-form"/>
      <p><a href="{@back}"><xsl:call-template name="m"><xsl:with-param name="key">bo.templates.back</xsl:with-param></xsl:call-template></a></p>
      <xsl:apply-templates select="v:notice"/>
      <xsl:if test="$form/v:error">
        <div class="error-summary" role="alert" tabindex="-1" id="error-summary">
          <h2><xsl:call-template name="m"><xsl:with-param name="key">form.errors.title</xsl:with-param></xsl:call-template></h2>
          <ul>
            <xsl:for-each select="$form/v:error">
              <li><a href="#template-{@field}"><xsl:value-of select="."/></a></li>
            </xsl:for-each>
          </ul>
        </div>
      </xsl:if>
      <p>
        <xsl:call-template name="m"><xsl:with-param name="key" select="concat('bo.template.audience.', @audience)"/></xsl:call-template>
      </p>

      <form method="get" action="{v:scopes/@action}" class="agent-form template-scope">
        <div class="field">
          <label for="template-scope"><xsl:call-template name="m"><xsl:with-param name="key">bo.template.scope</xsl:with-param></xsl:call-template></label>
          <p class="help" id="template-scope-help"><xsl:call-template name="m"><xsl:with-param name="key">bo.template.scope-help</xsl:with-param></xsl:call-template></p>
          <select id="template-scope" name="scope" aria-describedby="template-scope-help">
            <xsl:for-each select="v:scopes/v:scope">
              <option value="{@value}">
                <xsl:if test="@selected = 'true'"><xsl:attribute name="selected">selected</xsl:attribute></xsl:if>
                <xsl:value-of select="."/>
              </option>
            </xsl:for-each>
          </select>
        </div>
        <p><button type="submit" class="button secondary"><xsl:call-template name="m"><xsl:with-param name="key">bo.template.scope-go</xsl:with-param></xsl:call-template></button></p>
      </form>

      <form method="post" action="{@action}" class="agent-form template-form" novalidate="novalidate">
        <input type="hidden" name="_token" value="{@token}"/>
        <xsl:call-template name="template-field"><xsl:with-param name="field">subject</xsl:with-param></xsl:call-template>
        <xsl:call-template name="template-field"><xsl:with-param name="field">text</xsl:with-param></xsl:call-template>
        <xsl:if test="$form/v:sms">
          <xsl:call-template name="template-field"><xsl:with-param name="field">sms</xsl:with-param></xsl:call-template>
        </xsl:if>
        <p class="buttons">
          <button type="submit" class="button" name="action" value="save"><xsl:call-template name="m"><xsl:with-param name="key">bo.template.save</xsl:with-param></xsl:call-template></button>
          <xsl:text> </xsl:text>
          <button type="submit" class="button secondary" name="action" value="preview"><xsl:call-template name="m"><xsl:with-param name="key">bo.template.preview</xsl:with-param></xsl:call-template></button>
        </p>
      </form>

      <h2 id="variables"><xsl:call-template name="m"><xsl:with-param name="key">bo.template.variables</xsl:with-param></xsl:call-template></h2>
      <dl class="variables">
        <xsl:for-each select="v:variables/v:variable">
          <dt><code>{<xsl:value-of select="@name"/>}</code></dt>
          <dd><xsl:value-of select="."/></dd>
        </xsl:for-each>
      </dl>

      <xsl:for-each select="v:preview">
        <h2 id="preview"><xsl:call-template name="m"><xsl:with-param name="key">bo.template.preview-title</xsl:with-param></xsl:call-template></h2>
        <div class="message-preview">
          <p><strong><xsl:call-template name="m"><xsl:with-param name="key">bo.template.subject-field</xsl:with-param></xsl:call-template> : </strong><xsl:value-of select="@subject"/></p>
          <div class="message-text"><xsl:value-of select="v:text"/></div>
          <xsl:for-each select="v:sms">
            <p><strong><xsl:call-template name="m"><xsl:with-param name="key">bo.template.sms-field</xsl:with-param></xsl:call-template> : </strong><xsl:value-of select="@count"/></p>
            <div class="message-text sms"><xsl:value-of select="."/></div>
          </xsl:for-each>
        </div>
      </xsl:for-each>

      <xsl:if test="$form/v:own">
        <h2><xsl:call-template name="m"><xsl:with-param name="key">bo.template.reset-title</xsl:with-param></xsl:call-template></h2>
        <form method="post" action="{@action}" class="agent-form template-reset" novalidate="novalidate">
          <input type="hidden" name="_token" value="{@token}"/>
          <p><xsl:call-template name="m"><xsl:with-param name="key">bo.template.reset-help</xsl:with-param></xsl:call-template></p>
          <p><button type="submit" class="button danger" name="action" value="reset"><xsl:call-template name="m"><xsl:with-param name="key">bo.template.reset</xsl:with-param></xsl:call-template></button></p>
        </form>
      </xsl:if>
    </xsl:for-each>
  </xsl:template>

  <xsl:template name="template-field">
    <xsl:param name="field"/>
    <xsl:variable name="form" select="v:template-form"/>
    <xsl:variable name="error" select="$form/v:error[@field = $field]"/>
    <xsl:variable name="own" select="$form/v:own[@field = $field]"/>
    <div>
      <xsl:attribute name="class">field<xsl:if test="$error"> has-error</xsl:if></xsl:attribute>
      <label for="template-{$field}"><xsl:call-template name="m"><xsl:with-param name="key" select="concat('bo.template.', $field, '-field')"/></xsl:call-template>
        <xsl:if test="$field != 'sms'"><xsl:text> </xsl:text><span class="required">(<xsl:call-template name="m"><xsl:with-param name="key">form.required</xsl:with-param></xsl:call-template>)</span></xsl:if></label>
      <p class="help" id="template-{$field}-help">
        <xsl:choose>
          <xsl:when test="$own"><xsl:call-template name="m"><xsl:with-param name="key">bo.template.own</xsl:with-param></xsl:call-template></xsl:when>
          <xsl:otherwise><xsl:call-template name="m"><xsl:with-param name="key">bo.template.inherited</xsl:with-param></xsl:call-template></xsl:otherwise>
        </xsl:choose>
        <xsl:if test="$field = 'sms'"><xsl:text> </xsl:text><xsl:call-template name="m"><xsl:with-param name="key">bo.template.sms-help</xsl:with-param></xsl:call-template></xsl:if>
      </p>
      <xsl:if test="$error"><p class="error-message" id="template-{$field}-error"><xsl:value-of select="$error"/></p></xsl:if>
      <xsl:variable name="described">template-<xsl:value-of select="$field"/>-help<xsl:if test="$error"> template-<xsl:value-of select="$field"/>-error</xsl:if></xsl:variable>
      <xsl:choose>
        <xsl:when test="$field = 'subject'">
          <input type="text" id="template-subject" name="subject" value="{$form/@subject}" maxlength="200" autocomplete="off" aria-describedby="{$described}">
            <xsl:if test="$error"><xsl:attribute name="aria-invalid">true</xsl:attribute></xsl:if>
          </input>
        </xsl:when>
        <xsl:otherwise>
          <textarea id="template-{$field}" name="{$field}" aria-describedby="{$described}">
            <xsl:attribute name="rows"><xsl:choose><xsl:when test="$field = 'sms'">3</xsl:when><xsl:otherwise>12</xsl:otherwise></xsl:choose></xsl:attribute>
            <xsl:attribute name="maxlength"><xsl:choose><xsl:when test="$field = 'sms'">1000</xsl:when><xsl:otherwise>4000</xsl:otherwise></xsl:choose></xsl:attribute>
            <xsl:if test="$error"><xsl:attribute name="aria-invalid">true</xsl:attribute></xsl:if>
            <xsl:choose>
              <xsl:when test="$field = 'sms'"><xsl:value-of select="$form/v:sms"/></xsl:when>
              <xsl:otherwise><xsl:value-of select="$form/v:text"/></xsl:otherwise>
            </xsl:choose>
          </textarea>
        </xsl:otherwise>
      </xsl:choose>
    </div>
  </xsl:template>
</xsl:stylesheet>
