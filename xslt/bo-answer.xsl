<?xml version="1.0" encoding="UTF-8"?>
<!-- A standard answer to write, change or remove (administrators). -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">
  <xsl:include href="bo-layout.xsl"/>

  <xsl:template name="content">
    <xsl:for-each select="v:answer-edit">
      <xsl:variable name="form" select="v:answer-form"/>
      <p><a href="{@back}#answers"><xsl:call-template name="m"><xsl:with-param name="key">bo.agent.back</xsl:with-param></xsl:call-template></a></p>
      <xsl:if test="$form/v:error">
        <div class="error-summary" role="alert" tabindex="-1" id="error-summary">
          <h2><xsl:call-template name="m"><xsl:with-param name="key">form.errors.title</xsl:with-param></xsl:call-template></h2>
          <ul>
            <xsl:for-each select="$form/v:error">
              <li><a href="#answer-{@field}"><xsl:value-of select="."/></a></li>
            </xsl:for-each>
          </ul>
        </div>
      </xsl:if>
      <form method="post" action="{@action}" class="agent-form answer-form" novalidate="novalidate">
        <input type="hidden" name="_token" value="{@token}"/>
        <xsl:call-template name="answer-field">
          <xsl:with-param name="field">department</xsl:with-param>
        </xsl:call-template>
        <xsl:call-template name="answer-field">
          <xsl:with-param name="field">title</xsl:with-param>
        </xsl:call-template>
        <xsl:call-template name="answer-field">
          <xsl:with-param name="field">text</xsl:with-param>
        </xsl:call-template>
        <p><button type="submit" class="button"><xsl:call-template name="m"><xsl:with-param name="key">bo.answer.save</xsl:with-param></xsl:call-template></button></p>
      </form>
      <xsl:if test="$form/@id">
        <h2><xsl:call-template name="m"><xsl:with-param name="key">bo.answer.remove-title</xsl:with-param></xsl:call-template></h2>
        <form method="post" action="{@action}" class="agent-form remove-answer" novalidate="novalidate">
          <input type="hidden" name="_token" value="{@token}"/>
          <input type="hidden" name="delete" value="yes"/>
          <xsl:variable name="error" select="$form/v:error[@field = 'confirm']"/>
          <div>
            <xsl:attribute name="class">choice single<xsl:if test="$error"> has-error</xsl:if></xsl:attribute>
            <xsl:if test="$error"><p class="error-message" id="answer-confirm-error"><xsl:value-of select="$error"/></p></xsl:if>
            <input type="checkbox" id="answer-confirm" name="confirm" value="yes">
              <xsl:if test="$error">
                <xsl:attribute name="aria-invalid">true</xsl:attribute>
                <xsl:attribute name="aria-describedby">answer-confirm-error</xsl:attribute>
              </xsl:if>
            </input>
            <label for="answer-confirm"><xsl:call-template name="m"><xsl:with-param name="key">bo.answer.confirm</xsl:with-param></xsl:call-template></label>
          </div>
          <p><button type="submit" class="button danger"><xsl:call-template name="m"><xsl:with-param name="key">bo.answer.remove</xsl:with-param></xsl:call-template></button></p>
        </form>
      </xsl:if>
    </xsl:for-each>
  </xsl:template>

  <xsl:template name="answer-field">
    <xsl:param name="field"/>
    <xsl:variable name="form" select="v:answer-form"/>
    <xsl:variable name="error" select="$form/v:error[@field = $field]"/>
    <div>
      <xsl:attribute name="class">field<xsl:if test="$error"> has-error</xsl:if></xsl:attribute>
      <label for="answer-{$field}"><xsl:call-template name="m"><xsl:with-param name="key" select="concat('bo.answer.', $field, '-field')"/></xsl:call-template>
        <xsl:text> </xsl:text><span class="required">(<xsl:call-template name="m"><xsl:with-param name="key">form.required</xsl:with-param></xsl:call-template>)</span></label>
      <xsl:if test="$error"><p class="error-message" id="answer-{$field}-error"><xsl:value-of select="$error"/></p></xsl:if>
      <xsl:variable name="described"><xsl:if test="$error">answer-<xsl:value-of select="$field"/>-error</xsl:if></xsl:variable>
      <xsl:choose>
        <xsl:when test="$field = 'department'">
          <select id="answer-department" name="department">
            <xsl:if test="$error">
              <xsl:attribute name="aria-invalid">true</xsl:attribute>
              <xsl:attribute name="aria-describedby"><xsl:value-of select="$described"/></xsl:attribute>
            </xsl:if>
            <option value=""><xsl:call-template name="m"><xsl:with-param name="key">form.choose</xsl:with-param></xsl:call-template></option>
            <xsl:for-each select="v:departments/v:department">
              <option value="{@code}">
                <xsl:if test="@code = $form/@department"><xsl:attribute name="selected">selected</xsl:attribute></xsl:if>
                <xsl:value-of select="."/>
              </option>
            </xsl:for-each>
          </select>
        </xsl:when>
        <xsl:when test="$field = 'title'">
          <input type="text" id="answer-title" name="title" value="{$form/@title}" maxlength="100" autocomplete="off">
            <xsl:if test="$error">
              <xsl:attribute name="aria-invalid">true</xsl:attribute>
              <xsl:attribute name="aria-describedby"><xsl:value-of select="$described"/></xsl:attribute>
            </xsl:if>
          </input>
        </xsl:when>
        <xsl:otherwise>
          <textarea id="answer-text" name="text" rows="10" maxlength="4000">
            <xsl:if test="$error">
              <xsl:attribute name="aria-invalid">true</xsl:attribute>
              <xsl:attribute name="aria-describedby"><xsl:value-of select="$described"/></xsl:attribute>
            </xsl:if>
            <xsl:value-of select="$form/v:text"/>
          </textarea>
        </xsl:otherwise>
      </xsl:choose>
    </div>
  </xsl:template>
</xsl:stylesheet>
