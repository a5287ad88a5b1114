<?xml version="1.0" encoding="UTF-8"?>
<!-- One campaign: its list, channel, author and date, its figures
     (recipients, still to send, sent, delivered, failed, left before their
     turn), its text, and its recipients one by one with their state. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">
  <xsl:include href="bo-layout.xsl"/>

  <xsl:template name="content">
    <xsl:for-each select="v:campaign-page">
      <p><a href="{@back}"><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.back</xsl:with-param></xsl:call-template></a></p>
      <xsl:for-each select="v:campaign">
        <dl class="summary">
          <dt><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.list</xsl:with-param></xsl:call-template></dt>
          <dd><xsl:value-of select="v:list"/></dd>
          <dt><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.channel</xsl:with-param></xsl:call-template></dt>
          <dd><xsl:value-of select="v:channel"/></dd>
          <dt><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.created</xsl:with-param></xsl:call-template></dt>
          <dd><time datetime="{v:created/@date}"><xsl:value-of select="v:created"/></time> — <xsl:value-of select="v:author"/></dd>
          <dt><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.status</xsl:with-param></xsl:call-template></dt>
          <dd class="campaign-status"><xsl:value-of select="v:status"/></dd>
        </dl>
        <h2><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.figures</xsl:with-param></xsl:call-template></h2>
        <dl class="figures">
          <dt><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.recipients</xsl:with-param></xsl:call-template></dt>
          <dd data-figure="recipients"><xsl:value-of select="@recipients"/></dd>
          <dt><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.queued</xsl:with-param></xsl:call-template></dt>
          <dd data-figure="queued"><xsl:value-of select="@queued"/></dd>
          <dt><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.sent-count</xsl:with-param></xsl:call-template></dt>
          <dd data-figure="sent"><xsl:value-of select="@sent"/></dd>
          <dt><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.delivered</xsl:with-param></xsl:call-template></dt>
          <dd data-figure="delivered"><xsl:value-of select="@delivered"/><xsl:if test="@percent"> (<xsl:value-of select="@percent"/> %)</xsl:if></dd>
          <dt><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.failed</xsl:with-param></xsl:call-template></dt>
          <dd data-figure="failed"><xsl:value-of select="@failed"/></dd>
          <dt><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.cancelled</xsl:with-param></xsl:call-template></dt>
          <dd data-figure="cancelled"><xsl:value-of select="@cancelled"/></dd>
        </dl>
      </xsl:for-each>
      <h2><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.message</xsl:with-param></xsl:call-template></h2>
      <xsl:if test="normalize-space(v:subject)"><p><strong><xsl:value-of select="v:subject"/></strong></p></xsl:if>
      <div class="message-text"><xsl:value-of select="v:text"/></div>
      <h2><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.recipients</xsl:with-param></xsl:call-template></h2>
      <xsl:choose>
        <xsl:when test="not(v:recipient)">
          <p class="empty"><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.no-recipient</xsl:with-param></xsl:call-template></p>
        </xsl:when>
        <xsl:otherwise>
          <div class="table-scroll" tabindex="0" role="region">
            <xsl:attribute name="aria-label"><xsl:value-of select="key('message', 'bo.campaigns.recipients')"/></xsl:attribute>
            <table class="recipients">
              <caption><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.recipients</xsl:with-param></xsl:call-template></caption>
              <thead>
                <tr>
                  <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.address</xsl:with-param></xsl:call-template></th>
                  <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.status</xsl:with-param></xsl:call-template></th>
                  <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.at</xsl:with-param></xsl:call-template></th>
                  <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.campaigns.error</xsl:with-param></xsl:call-template></th>
                </tr>
              </thead>
              <tbody>
                <xsl:for-each select="v:recipient">
                  <tr class="send-{@state}">
                    <th scope="row"><xsl:value-of select="v:address"/></th>
                    <td><xsl:value-of select="v:status"/></td>
                    <td><xsl:for-each select="v:at"><time datetime="{@date}"><xsl:value-of select="."/></time></xsl:for-each></td>
                    <td><xsl:value-of select="v:error"/></td>
                  </tr>
                </xsl:for-each>
              </tbody>
            </table>
          </div>
          <xsl:for-each select="v:more"><p class="help"><xsl:value-of select="."/></p></xsl:for-each>
        </xsl:otherwise>
      </xsl:choose>
    </xsl:for-each>
  </xsl:template>
</xsl:stylesheet>
