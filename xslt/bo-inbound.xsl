<?xml version="1.0" encoding="UTF-8"?>
<!-- The qualification queue: the e-mails and SMS received that answer no
     request, oldest first, each a link to its page. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">
  <xsl:include href="bo-layout.xsl"/>

  <xsl:template name="content">
    <xsl:for-each select="v:inbound">
      <xsl:for-each select="v:done">
        <div class="notice success" role="status"><p><xsl:value-of select="."/></p></div>
      </xsl:for-each>
      <p><xsl:call-template name="m"><xsl:with-param name="key">bo.inbound.intro</xsl:with-param></xsl:call-template></p>
      <xsl:choose>
        <xsl:when test="not(v:message)">
          <p class="empty"><xsl:call-template name="m"><xsl:with-param name="key">bo.inbound.none</xsl:with-param></xsl:call-template></p>
        </xsl:when>
        <xsl:otherwise>
          <p class="count"><xsl:call-template name="m"><xsl:with-param name="key">bo.inbound.count</xsl:with-param></xsl:call-template><xsl:text> </xsl:text><xsl:value-of select="@total"/></p>
          <div class="table-scroll" tabindex="0" role="region">
            <xsl:attribute name="aria-label"><xsl:value-of select="key('message', 'bo.inbound.title')"/></xsl:attribute>
            <table class="requests inbound">
              <caption><xsl:call-template name="m"><xsl:with-param name="key">bo.inbound.title</xsl:with-param></xsl:call-template></caption>
              <thead>
                <tr>
                  <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.inbound.subject</xsl:with-param></xsl:call-template></th>
                  <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.inbound.sender</xsl:with-param></xsl:call-template></th>
                  <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.inbound.channel</xsl:with-param></xsl:call-template></th>
                  <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.inbound.received</xsl:with-param></xsl:call-template></th>
                  <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.inbound.department</xsl:with-param></xsl:call-template></th>
                </tr>
              </thead>
              <tbody>
                <xsl:for-each select="v:message">
                  <tr>
                    <th scope="row">
                      <a href="{@href}">
                        <xsl:choose>
                          <xsl:when test="normalize-space(v:subject)"><xsl:value-of select="v:subject"/></xsl:when>
                          <xsl:when test="normalize-space(v:excerpt)"><xsl:value-of select="substring(v:excerpt, 1, 60)"/></xsl:when>
                          <xsl:otherwise><xsl:call-template name="m"><xsl:with-param name="key">bo.inbound.no-subject</xsl:with-param></xsl:call-template></xsl:otherwise>
                        </xsl:choose>
                      </a>
                      <xsl:for-each select="v:files">
                        <xsl:text> — </xsl:text><xsl:value-of select="@count"/><xsl:text> </xsl:text><xsl:call-template name="m"><xsl:with-param name="key">bo.inbound.files-count</xsl:with-param></xsl:call-template>
                      </xsl:for-each>
                    </th>
                    <td><xsl:value-of select="v:sender"/></td>
                    <td><xsl:value-of select="v:channel"/></td>
                    <td><time datetime="{v:received/@date}"><xsl:value-of select="v:received"/></time></td>
                    <td><xsl:value-of select="v:department"/></td>
                  </tr>
                </xsl:for-each>
              </tbody>
            </table>
          </div>
        </xsl:otherwise>
      </xsl:choose>
    </xsl:for-each>
  </xsl:template>
</xsl:stylesheet>
