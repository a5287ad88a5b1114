<?xml version="1.0" encoding="UTF-8"?>
<!-- A new campaign: the list (with its subscribers by channel), SMS or
     e-mail, the pre-formatted messages to start from, the subject and the
     text (each error next to its field); "Vérifier" counts the SMS's parts
     and the recipients before "Envoyer" sends. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">
  <xsl:include href="bo-layout.xsl"/>

  <xsl:template name="field-error">
    <xsl:param name="field"/>
    <xsl:for-each select="v:error[@field = $field]">
      <p class="error-message" id="campaign-{$field}-error"><xsl:value-of select="."/></p>
    </xsl:for-each>
  </xsl:template>

  <xsl:template name="content">
    <xsl:for-each select="v:campaign-new">
      <p><a href="{@back}"><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.back</xsl:with-param></xsl:call-template></a></p>
      <xsl:if test="v:error">
        <div class="notice error" role="alert"><p><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.errors</xsl:with-param></xsl:call-template></p></div>
      </xsl:if>
      <xsl:if test="v:list/v:message">
        <h2><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.preformatted</xsl:with-param></xsl:call-template></h2>
        <ul class="preformatted">
          <xsl:for-each select="v:list[v:message]">
            <xsl:variable name="list" select="v:name"/>
            <xsl:for-each select="v:message">
              <li><a href="{@href}"><xsl:value-of select="."/></a><xsl:text> — </xsl:text><xsl:value-of select="$list"/></li>
            </xsl:for-each>
          </xsl:for-each>
        </ul>
      </xsl:if>
      <form method="post" action="{@action}" class="campaign" novalidate="novalidate">
        <input type="hidden" name="_token" value="{/v:page/v:backoffice/@token}"/>
        <div class="field">
          <xsl:if test="v:error[@field = 'list']"><xsl:attribute name="class">field has-error</xsl:attribute></xsl:if>
          <label for="campaign-list"><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.list</xsl:with-param></xsl:call-template></label>
          <xsl:call-template name="field-error"><xsl:with-param name="field">list</xsl:with-param></xsl:call-template>
          <select id="campaign-list" name="list">
            <xsl:if test="v:error[@field = 'list']"><xsl:attribute name="aria-describedby">campaign-list-error</xsl:attribute><xsl:attribute name="aria-invalid">true</xsl:attribute></xsl:if>
            <xsl:for-each select="v:list">
              <option value="{@code}">
                <xsl:if test="@selected = 'true'"><xsl:attribute name="selected">selected</xsl:attribute></xsl:if>
                <xsl:value-of select="v:name"/>
                <xsl:text> (</xsl:text><xsl:value-of select="@sms"/><xsl:text> SMS, </xsl:text><xsl:value-of select="@email"/><xsl:text> e-mail)</xsl:text>
              </option>
            </xsl:for-each>
          </select>
        </div>
        <fieldset class="field choices">
          <xsl:if test="v:error[@field = 'channel']"><xsl:attribute name="class">field choices has-error</xsl:attribute><xsl:attribute name="aria-describedby">campaign-channel-error</xsl:attribute></xsl:if>
          <legend><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.channel</xsl:with-param></xsl:call-template></legend>
          <xsl:call-template name="field-error"><xsl:with-param name="field">channel</xsl:with-param></xsl:call-template>
          <xsl:if test="@sms = 'true'">
            <div class="choice">
              <input type="radio" id="campaign-sms" name="channel" value="sms">
                <xsl:if test="v:channel = 'sms'"><xsl:attribute name="checked">checked</xsl:attribute></xsl:if>
              </input>
              <label for="campaign-sms"><xsl:call-template name="m"><xsl:with-param name="key">bo.channel.sms</xsl:with-param></xsl:call-template></label>
            </div>
          </xsl:if>
          <div class="choice">
            <input type="radio" id="campaign-email" name="channel" value="email">
              <xsl:if test="v:channel = 'email' or (v:channel = 'sms' and @sms != 'true')"><xsl:attribute name="checked">checked</xsl:attribute></xsl:if>
            </input>
            <label for="campaign-email"><xsl:call-template name="m"><xsl:with-param name="key">bo.channel.email</xsl:with-param></xsl:call-template></label>
          </div>
        </fieldset>
        <div class="field">
          <xsl:if test="v:error[@field = 'subject']"><xsl:attribute name="class">field has-error</xsl:attribute></xsl:if>
          <label for="campaign-subject"><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.subject</xsl:with-param></xsl:call-template></label>
          <p class="help" id="campaign-subject-help"><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.subject.help</xsl:with-param></xsl:call-template></p>
          <xsl:call-template name="field-error"><xsl:with-param name="field">subject</xsl:with-param></xsl:call-template>
          <input type="text" id="campaign-subject" name="subject" value="{v:subject}" maxlength="200">
            <xsl:attribute name="aria-describedby">campaign-subject-help<xsl:if test="v:error[@field = 'subject']"> campaign-subject-error</xsl:if></xsl:attribute>
            <xsl:if test="v:error[@field = 'subject']"><xsl:attribute name="aria-invalid">true</xsl:attribute></xsl:if>
          </input>
        </div>
        <div class="field">
          <xsl:if test="v:error[@field = 'text']"><xsl:attribute name="class">field has-error</xsl:attribute></xsl:if>
          <label for="campaign-text"><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.text</xsl:with-param></xsl:call-template></label>
          <p class="help" id="campaign-text-help"><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.text.help</xsl:with-param></xsl:call-template></p>
          <xsl:call-template name="field-error"><xsl:with-param name="field">text</xsl:with-param></xsl:call-template>
          <textarea id="campaign-text" name="text" rows="8">
            <xsl:attribute name="aria-describedby">campaign-text-help<xsl:if test="v:error[@field = 'text']"> campaign-text-error</xsl:if></xsl:attribute>
            <xsl:if test="v:error[@field = 'text']"><xsl:attribute name="aria-invalid">true</xsl:attribute></xsl:if>
            <xsl:value-of select="v:text"/>
          </textarea>
        </div>
        <xsl:for-each select="v:preview">
          <div class="notice" role="status" id="campaign-preview">
            <p><xsl:value-of select="v:said"/></p>
          </div>
        </xsl:for-each>
        <p class="actions">
          <button type="submit" name="do" value="preview" class="button secondary"><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.preview</xsl:with-param></xsl:call-template></button>
          <xsl:text> </xsl:text>
          <button type="submit" name="do" value="send" class="button"><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.send</xsl:with-param></xsl:call-template></button>
        </p>
      </form>
    </xsl:for-each>
  </xsl:template>
</xsl:stylesheet>
