<?xml version="1.0" encoding="UTF-8"?>
<!-- The suggested merges of the town's file of people: each pair of files
     side by side, why they may be one person's, and the agent's two
     answers (one person: merge; two people: keep apart). Never merged by
     the machine. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">
  <xsl:include href="bo-layout.xsl"/>

  <xsl:template name="content">
    <xsl:for-each select="v:merges">
      <p><a href="{@search}"><xsl:call-template name="m"><xsl:with-param name="key">bo.person.back</xsl:with-param></xsl:call-template></a></p>
      <xsl:for-each select="v:done">
        <div class="notice success" role="status">
          <p>
            <xsl:value-of select="."/>
            <xsl:if test="@href">
              <xsl:text> </xsl:text>
              <a href="{@href}"><xsl:call-template name="m"><xsl:with-param name="key">bo.merges.see-file</xsl:with-param></xsl:call-template></a>
            </xsl:if>
          </p>
        </div>
      </xsl:for-each>
      <p><xsl:call-template name="m"><xsl:with-param name="key">bo.merges.intro</xsl:with-param></xsl:call-template></p>
      <xsl:choose>
        <xsl:when test="not(v:suggestion)">
          <p class="empty"><xsl:call-template name="m"><xsl:with-param name="key">bo.merges.none</xsl:with-param></xsl:call-template></p>
        </xsl:when>
        <xsl:otherwise>
          <p class="count"><xsl:call-template name="m"><xsl:with-param name="key">bo.merges.count</xsl:with-param></xsl:call-template><xsl:text> </xsl:text><xsl:value-of select="@total"/></p>
          <xsl:for-each select="v:suggestion">
            <section class="merge" aria-labelledby="merge-{@id}">
              <h2 id="merge-{@id}"><xsl:value-of select="v:reason"/></h2>
              <p class="hint"><xsl:call-template name="m"><xsl:with-param name="key">bo.merges.suggested</xsl:with-param></xsl:call-template><xsl:text> </xsl:text><time datetime="{v:suggested/@at}"><xsl:value-of select="v:suggested"/></time></p>
              <div class="table-scroll" tabindex="0" role="region">
                <xsl:attribute name="aria-label"><xsl:value-of select="v:reason"/></xsl:attribute>
                <table class="requests merge-pair">
                  <caption><xsl:call-template name="m"><xsl:with-param name="key">bo.merges.pair</xsl:with-param></xsl:call-template></caption>
                  <thead>
                    <tr>
                      <td/>
                      <xsl:for-each select="v:person">
                        <th scope="col"><a href="{@href}"><xsl:value-of select="v:name"/></a></th>
                      </xsl:for-each>
                    </tr>
                  </thead>
                  <tbody>
                    <tr>
                      <th scope="row"><xsl:call-template name="m"><xsl:with-param name="key">bo.person.kind</xsl:with-param></xsl:call-template></th>
                      <xsl:for-each select="v:person"><td><xsl:value-of select="v:kind"/></td></xsl:for-each>
                    </tr>
                    <tr>
                      <th scope="row"><xsl:call-template name="m"><xsl:with-param name="key">bo.person.email</xsl:with-param></xsl:call-template></th>
                      <xsl:for-each select="v:person"><td><xsl:value-of select="v:email"/></td></xsl:for-each>
                    </tr>
                    <tr>
                      <th scope="row"><xsl:call-template name="m"><xsl:with-param name="key">bo.person.phone</xsl:with-param></xsl:call-template></th>
                      <xsl:for-each select="v:person"><td><xsl:value-of select="v:phone"/></td></xsl:for-each>
                    </tr>
                    <tr>
                      <th scope="row"><xsl:call-template name="m"><xsl:with-param name="key">bo.person.address</xsl:with-param></xsl:call-template></th>
                      <xsl:for-each select="v:person"><td><xsl:value-of select="v:address"/></td></xsl:for-each>
                    </tr>
                    <tr>
                      <th scope="row"><xsl:call-template name="m"><xsl:with-param name="key">bo.person.account</xsl:with-param></xsl:call-template></th>
                      <xsl:for-each select="v:person"><td><xsl:call-template name="m"><xsl:with-param name="key" select="concat('bo.person.account.', substring('yes', 1, 3 * (@account = 'true')), substring('no', 1, 2 * (@account != 'true')))"/></xsl:call-template></td></xsl:for-each>
                    </tr>
                  </tbody>
                </table>
              </div>
              <form method="post" action="{@action}" class="actions">
                <input type="hidden" name="_token" value="{/v:page/v:backoffice/@token}"/>
                <button type="submit" class="button" name="decision" value="merge"><xsl:call-template name="m"><xsl:with-param name="key">bo.merges.merge</xsl:with-param></xsl:call-template></button>
                <xsl:text> </xsl:text>
                <button type="submit" class="button secondary" name="decision" value="apart"><xsl:call-template name="m"><xsl:with-param name="key">bo.merges.apart</xsl:with-param></xsl:call-template></button>
              </form>
            </section>
          </xsl:for-each>
        </xsl:otherwise>
      </xsl:choose>
    </xsl:for-each>
  </xsl:template>
</xsl:stylesheet>
