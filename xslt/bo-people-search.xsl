<?xml version="1.0" encoding="UTF-8"?>
<!-- The town's file of people: a search by name, e-mail address or phone
     (a GET form), then the files found, each a link to its page. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">
  <xsl:include href="bo-layout.xsl"/>

  <xsl:template name="content">
    <xsl:for-each select="v:people-search">
      <p><xsl:call-template name="m"><xsl:with-param name="key">bo.file.intro</xsl:with-param></xsl:call-template></p>
      <p><a href="{@merges}"><xsl:call-template name="m"><xsl:with-param name="key">bo.file.merges</xsl:with-param></xsl:call-template></a><xsl:text> (</xsl:text><xsl:value-of select="@suggested"/><xsl:text>)</xsl:text></p>
      <form method="get" action="{@action}" role="search" class="people-search">
        <xsl:attribute name="aria-label"><xsl:value-of select="key('message', 'bo.file.title')"/></xsl:attribute>
        <div class="field">
          <label for="people-q"><xsl:call-template name="m"><xsl:with-param name="key">bo.file.search</xsl:with-param></xsl:call-template></label>
          <input type="search" id="people-q" name="q" value="{@q}" minlength="2" maxlength="100"/>
        </div>
        <p><button type="submit" class="button"><xsl:call-template name="m"><xsl:with-param name="key">bo.file.submit</xsl:with-param></xsl:call-template></button></p>
      </form>
      <xsl:if test="@searched = 'true'">
        <xsl:choose>
          <xsl:when test="not(v:person)">
            <p class="empty" role="status"><xsl:call-template name="m"><xsl:with-param name="key">bo.file.none</xsl:with-param></xsl:call-template></p>
          </xsl:when>
          <xsl:otherwise>
            <div class="table-scroll" tabindex="0" role="region">
              <xsl:attribute name="aria-label"><xsl:value-of select="key('message', 'bo.file.found')"/></xsl:attribute>
              <table class="requests people">
                <caption><xsl:call-template name="m"><xsl:with-param name="key">bo.file.found</xsl:with-param></xsl:call-template></caption>
                <thead>
                  <tr>
                    <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.request.requester-file</xsl:with-param></xsl:call-template></th>
                    <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.person.kind</xsl:with-param></xsl:call-template></th>
                    <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.person.email</xsl:with-param></xsl:call-template></th>
                    <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.person.phone</xsl:with-param></xsl:call-template></th>
                    <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.person.address</xsl:with-param></xsl:call-template></th>
                  </tr>
                </thead>
                <tbody>
                  <xsl:for-each select="v:person">
                    <tr>
                      <th scope="row"><a href="{@href}"><xsl:value-of select="v:name"/></a></th>
                      <td><xsl:value-of select="v:kind"/></td>
                      <td><xsl:value-of select="v:email"/></td>
                      <td><xsl:value-of select="v:phone"/></td>
                      <td><xsl:value-of select="v:address"/></td>
                    </tr>
                  </xsl:for-each>
                </tbody>
              </table>
            </div>
          </xsl:otherwise>
        </xsl:choose>
      </xsl:if>
    </xsl:for-each>
  </xsl:template>
</xsl:stylesheet>
