<?xml version="1.0" encoding="UTF-8"?>
<!-- Lists and campaigns: the town's lists with their subscribers by
     channel, a link to write a campaign, the campaigns sent with their
     figures, and the form that subscribes a person at the counter. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">
  <xsl:include href="bo-layout.xsl"/>

  <xsl:template name="content">
    <xsl:for-each select="v:campaigns">
      <xsl:for-each select="v:done">
        <div class="notice success" role="status"><p><xsl:value-of select="."/></p></div>
      </xsl:for-each>
      <xsl:if test="v:error">
        <div class="notice error" role="alert"><p><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.errors</xsl:with-param></xsl:call-template></p></div>
      </xsl:if>
      <xsl:if test="@new">
        <p><a class="button" href="{@new}"><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.new</xsl:with-param></xsl:call-template></a></p>
      </xsl:if>
      <h2><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.lists</xsl:with-param></xsl:call-template></h2>
      <div class="table-scroll" tabindex="0" role="region">
        <xsl:attribute name="aria-label"><xsl:value-of select="key('message', 'bo.campaigns.lists')"/></xsl:attribute>
        <table class="lists">
          <caption><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.lists</xsl:with-param></xsl:call-template></caption>
          <thead>
            <tr>
              <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.list</xsl:with-param></xsl:call-template></th>
              <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.keyword</xsl:with-param></xsl:call-template></th>
              <th scope="col" class="num"><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.by-sms</xsl:with-param></xsl:call-template></th>
              <th scope="col" class="num"><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.by-email</xsl:with-param></xsl:call-template></th>
              <th scope="col" class="num"><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.pending</xsl:with-param></xsl:call-template></th>
            </tr>
          </thead>
          <tbody>
            <xsl:for-each select="v:list">
              <tr>
                <th scope="row"><xsl:value-of select="v:name"/>
                  <xsl:for-each select="v:description"><br/><span class="help"><xsl:value-of select="."/></span></xsl:for-each>
                </th>
                <td><xsl:value-of select="@keyword"/></td>
                <td class="num"><xsl:value-of select="@sms"/></td>
                <td class="num"><xsl:value-of select="@email"/></td>
                <td class="num"><xsl:value-of select="@pending"/></td>
              </tr>
            </xsl:for-each>
          </tbody>
        </table>
      </div>
      <h2><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.sent</xsl:with-param></xsl:call-template></h2>
      <xsl:choose>
        <xsl:when test="not(v:campaign)">
          <p class="empty"><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.none</xsl:with-param></xsl:call-template></p>
        </xsl:when>
        <xsl:otherwise>
          <div class="table-scroll" tabindex="0" role="region">
            <xsl:attribute name="aria-label"><xsl:value-of select="key('message', 'bo.campaigns.sent')"/></xsl:attribute>
            <table class="campaigns">
              <caption><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.sent</xsl:with-param></xsl:call-template></caption>
              <thead>
                <tr>
                  <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.message</xsl:with-param></xsl:call-template></th>
                  <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.list</xsl:with-param></xsl:call-template></th>
                  <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.channel</xsl:with-param></xsl:call-template></th>
                  <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.created</xsl:with-param></xsl:call-template></th>
                  <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.status</xsl:with-param></xsl:call-template></th>
                  <th scope="col" class="num"><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.recipients</xsl:with-param></xsl:call-template></th>
                  <th scope="col" class="num"><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.delivered</xsl:with-param></xsl:call-template></th>
                  <th scope="col" class="num"><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.failed</xsl:with-param></xsl:call-template></th>
                </tr>
              </thead>
              <tbody>
                <xsl:for-each select="v:campaign">
                  <tr>
                    <th scope="row"><a href="{@href}"><xsl:value-of select="v:title"/></a></th>
                    <td><xsl:value-of select="v:list"/></td>
                    <td><xsl:value-of select="v:channel"/></td>
                    <td><time datetime="{v:created/@date}"><xsl:value-of select="v:created"/></time></td>
                    <td><xsl:value-of select="v:status"/></td>
                    <td class="num"><xsl:value-of select="@recipients"/></td>
                    <td class="num"><xsl:value-of select="@delivered"/><xsl:if test="@percent"> (<xsl:value-of select="@percent"/> %)</xsl:if></td>
                    <td class="num"><xsl:value-of select="@failed"/></td>
                  </tr>
                </xsl:for-each>
              </tbody>
            </table>
          </div>
        </xsl:otherwise>
      </xsl:choose>
      <xsl:if test="@counter">
        <h2 id="counter"><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.counter</xsl:with-param></xsl:call-template></h2>
        <p class="help"><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.counter.help</xsl:with-param></xsl:call-template></p>
        <form method="post" action="{@action}" class="counter-subscribe" novalidate="novalidate">
          <input type="hidden" name="_token" value="{/v:page/v:backoffice/@token}"/>
          <div class="field">
            <xsl:if test="v:error[@field = 'list']"><xsl:attribute name="class">field has-error</xsl:attribute></xsl:if>
            <label for="counter-list"><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.list</xsl:with-param></xsl:call-template></label>
            <xsl:for-each select="v:error[@field = 'list']"><p class="error-message" id="counter-list-error"><xsl:value-of select="."/></p></xsl:for-each>
            <select id="counter-list" name="list">
              <xsl:if test="v:error[@field = 'list']"><xsl:attribute name="aria-describedby">counter-list-error</xsl:attribute><xsl:attribute name="aria-invalid">true</xsl:attribute></xsl:if>
              <xsl:for-each select="v:list">
                <option value="{@code}">
                  <xsl:if test="@code = ../v:typed/v:list"><xsl:attribute name="selected">selected</xsl:attribute></xsl:if>
                  <xsl:value-of select="v:name"/>
                </option>
              </xsl:for-each>
            </select>
          </div>
          <fieldset class="field choices">
            <xsl:if test="v:error[@field = 'channel']"><xsl:attribute name="class">field choices has-error</xsl:attribute><xsl:attribute name="aria-describedby">counter-channel-error</xsl:attribute></xsl:if>
            <legend><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.channel</xsl:with-param></xsl:call-template></legend>
            <xsl:for-each select="v:error[@field = 'channel']"><p class="error-message" id="counter-channel-error"><xsl:value-of select="."/></p></xsl:for-each>
            <div class="choice">
              <input type="radio" id="counter-sms" name="channel" value="sms">
                <xsl:if test="not(v:typed/v:channel = 'email')"><xsl:attribute name="checked">checked</xsl:attribute></xsl:if>
              </input>
              <label for="counter-sms"><xsl:call-template name="m"><xsl:with-param name="key">bo.channel.sms</xsl:with-param></xsl:call-template></label>
            </div>
            <div class="choice">
              <input type="radio" id="counter-email" name="channel" value="email">
                <xsl:if test="v:typed/v:channel = 'email'"><xsl:attribute name="checked">checked</xsl:attribute></xsl:if>
              </input>
              <label for="counter-email"><xsl:call-template name="m"><xsl:with-param name="key">bo.channel.email</xsl:with-param></xsl:call-template></label>
            </div>
          </fieldset>
          <div class="field">
            <xsl:if test="v:error[@field = 'address']"><xsl:attribute name="class">field has-error</xsl:attribute></xsl:if>
            <label for="counter-address"><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.address</xsl:with-param></xsl:call-template></label>
            <xsl:for-each select="v:error[@field = 'address']"><p class="error-message" id="counter-address-error"><xsl:value-of select="."/></p></xsl:for-each>
            <input type="text" id="counter-address" name="address" value="{v:typed/v:address}" autocomplete="off" spellcheck="false">
              <xsl:if test="v:error[@field = 'address']"><xsl:attribute name="aria-describedby">counter-address-error</xsl:attribute><xsl:attribute name="aria-invalid">true</xsl:attribute></xsl:if>
            </input>
          </div>
          <p><button type="submit" class="button secondary"><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.counter.submit</xsl:with-param></xsl:call-template></button></p>
        </form>
      </xsl:if>
    </xsl:for-each>
  </xsl:template>
</xsl:stylesheet>
