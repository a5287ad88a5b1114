<?xml version="1.0" encoding="UTF-8"?>
<!-- A person's data for an administrator (GDPR access): the search by
     e-mail address or name, the accounts and requests found, the export. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">
  <xsl:include href="bo-layout.xsl"/>

  <xsl:template name="content">
    <xsl:for-each select="v:people">
      <p><a href="{@back}"><xsl:call-template name="m"><xsl:with-param name="key">bo.agent.back</xsl:with-param></xsl:call-template></a></p>
      <p><xsl:call-template name="m"><xsl:with-param name="key">bo.people.help</xsl:with-param></xsl:call-template></p>
      <form method="get" action="{@action}" class="agent-form people-search" role="search">
        <div class="field">
          <label for="q"><xsl:call-template name="m"><xsl:with-param name="key">bo.people.query</xsl:with-param></xsl:call-template></label>
          <xsl:if test="v:error"><p class="error-message" id="q-error"><xsl:value-of select="v:error"/></p></xsl:if>
          <input type="search" id="q" name="q" value="{@q}" autocomplete="off">
            <xsl:if test="v:error">
              <xsl:attribute name="aria-invalid">true</xsl:attribute>
              <xsl:attribute name="aria-describedby">q-error</xsl:attribute>
            </xsl:if>
          </input>
        </div>
        <div class="actions"><button type="submit" class="button"><xsl:call-template name="m"><xsl:with-param name="key">bo.people.search</xsl:with-param></xsl:call-template></button></div>
      </form>
      <xsl:if test="@searched = 'true'">
        <h2 id="found"><xsl:call-template name="m"><xsl:with-param name="key">bo.people.found</xsl:with-param></xsl:call-template></h2>
        <xsl:choose>
          <xsl:when test="not(v:account) and not(v:request)">
            <p class="notice info"><xsl:call-template name="m"><xsl:with-param name="key">bo.people.nobody</xsl:with-param></xsl:call-template></p>
          </xsl:when>
          <xsl:otherwise>
            <xsl:if test="v:account">
              <h3><xsl:call-template name="m"><xsl:with-param name="key">bo.people.accounts</xsl:with-param></xsl:call-template></h3>
              <ul class="people-accounts">
                <xsl:for-each select="v:account">
                  <li><strong><xsl:value-of select="@email"/></strong><xsl:if test="normalize-space(.)"><xsl:text> — </xsl:text><xsl:value-of select="."/></xsl:if></li>
                </xsl:for-each>
              </ul>
            </xsl:if>
            <xsl:if test="v:request">
              <div class="table-scroll" tabindex="0" role="region">
                <xsl:attribute name="aria-label"><xsl:value-of select="key('message', 'bo.people.requests')"/></xsl:attribute>
                <table class="agents people-requests">
                  <caption><xsl:call-template name="m"><xsl:with-param name="key">bo.people.requests</xsl:with-param></xsl:call-template></caption>
                  <thead>
                    <tr>
                      <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.column.reference</xsl:with-param></xsl:call-template></th>
                      <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.column.service</xsl:with-param></xsl:call-template></th>
                      <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.people.name</xsl:with-param></xsl:call-template></th>
                      <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.column.received</xsl:with-param></xsl:call-template></th>
                    </tr>
                  </thead>
                  <tbody>
                    <xsl:for-each select="v:request">
                      <tr>
                        <th scope="row"><a href="{@href}"><xsl:value-of select="@reference"/></a></th>
                        <td><xsl:value-of select="v:service"/></td>
                        <td><xsl:value-of select="v:name"/></td>
                        <td><time datetime="{v:received/@date}"><xsl:value-of select="v:received"/></time></td>
                      </tr>
                    </xsl:for-each>
                  </tbody>
                </table>
              </div>
            </xsl:if>
            <form method="post" action="{@export}" class="people-export">
              <input type="hidden" name="_token" value="{@token}"/>
              <input type="hidden" name="q" value="{@q}"/>
              <p><xsl:call-template name="m"><xsl:with-param name="key">bo.people.export-help</xsl:with-param></xsl:call-template></p>
              <div class="actions">
                <button type="submit" class="button"><xsl:call-template name="m"><xsl:with-param name="key">bo.people.export</xsl:with-param></xsl:call-template></button>
                <button type="submit" class="button secondary" name="format" value="pdf"><xsl:call-template name="m"><xsl:with-param name="key">bo.people.export-pdf</xsl:with-param></xsl:call-template></button>
              </div>
            </form>
          </xsl:otherwise>
        </xsl:choose>
      </xsl:if>
    </xsl:for-each>
  </xsl:template>
</xsl:stylesheet>
