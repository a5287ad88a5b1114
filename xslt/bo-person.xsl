<?xml version="1.0" encoding="UTF-8"?>
<!-- One file of the town's people: who, how to reach them, their online
     account, then their requests across services and channels (those of
     the agent's departments; the others counted in words). -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">
  <xsl:include href="bo-layout.xsl"/>

  <xsl:template name="content">
    <xsl:for-each select="v:person-file">
      <p><a href="{@search}"><xsl:call-template name="m"><xsl:with-param name="key">bo.person.back</xsl:with-param></xsl:call-template></a></p>
      <xsl:for-each select="v:saved">
        <div class="notice success" role="status"><p><xsl:value-of select="."/></p></div>
      </xsl:for-each>
      <xsl:for-each select="v:person">
        <dl class="summary">
          <dt><xsl:call-template name="m"><xsl:with-param name="key">bo.person.kind</xsl:with-param></xsl:call-template></dt>
          <dd><xsl:value-of select="v:kind"/></dd>
          <xsl:for-each select="v:contact">
            <dt><xsl:call-template name="m"><xsl:with-param name="key">bo.person.contact</xsl:with-param></xsl:call-template></dt>
            <dd><xsl:value-of select="."/></dd>
          </xsl:for-each>
          <xsl:for-each select="v:email">
            <dt><xsl:call-template name="m"><xsl:with-param name="key">bo.person.email</xsl:with-param></xsl:call-template></dt>
            <dd><a href="mailto:{.}"><xsl:value-of select="."/></a></dd>
          </xsl:for-each>
          <xsl:for-each select="v:phone">
            <dt><xsl:call-template name="m"><xsl:with-param name="key">bo.person.phone</xsl:with-param></xsl:call-template></dt>
            <dd><a href="tel:{.}"><xsl:value-of select="."/></a></dd>
          </xsl:for-each>
          <xsl:for-each select="v:address">
            <dt><xsl:call-template name="m"><xsl:with-param name="key">bo.person.address</xsl:with-param></xsl:call-template></dt>
            <dd><xsl:value-of select="."/></dd>
          </xsl:for-each>
          <dt><xsl:call-template name="m"><xsl:with-param name="key">bo.person.account</xsl:with-param></xsl:call-template></dt>
          <dd><xsl:call-template name="m"><xsl:with-param name="key" select="concat('bo.person.account.', substring('yes', 1, 3 * (@account = 'true')), substring('no', 1, 2 * (@account != 'true')))"/></xsl:call-template></dd>
        </dl>
      </xsl:for-each>
      <form method="post" action="{@action}" class="person-kind">
        <input type="hidden" name="_token" value="{/v:page/v:backoffice/@token}"/>
        <div class="field">
          <label for="person-kind"><xsl:call-template name="m"><xsl:with-param name="key">bo.person.kind-change</xsl:with-param></xsl:call-template></label>
          <select id="person-kind" name="kind">
            <xsl:for-each select="v:kinds/v:kind">
              <option value="{@code}">
                <xsl:if test="@selected = 'true'"><xsl:attribute name="selected">selected</xsl:attribute></xsl:if>
                <xsl:value-of select="."/>
              </option>
            </xsl:for-each>
          </select>
        </div>
        <p><button type="submit" class="button secondary"><xsl:call-template name="m"><xsl:with-param name="key">bo.person.kind-save</xsl:with-param></xsl:call-template></button></p>
      </form>
      <xsl:for-each select="v:new-request">
        <h2><xsl:call-template name="m"><xsl:with-param name="key">bo.person.new-request</xsl:with-param></xsl:call-template></h2>
        <form method="get" action="{@action}" class="person-new-request">
          <input type="hidden" name="person" value="{@person}"/>
          <div class="field">
            <label for="new-channel"><xsl:call-template name="m"><xsl:with-param name="key">bo.person.new-request.channel</xsl:with-param></xsl:call-template></label>
            <select id="new-channel" name="channel">
              <xsl:for-each select="v:channel"><option value="{@code}"><xsl:value-of select="."/></option></xsl:for-each>
            </select>
          </div>
          <div class="field">
            <label for="new-service"><xsl:call-template name="m"><xsl:with-param name="key">bo.person.new-request.service</xsl:with-param></xsl:call-template></label>
            <select id="new-service" name="service">
              <xsl:for-each select="v:service"><option value="{@code}"><xsl:value-of select="."/></option></xsl:for-each>
            </select>
          </div>
          <p><button type="submit" class="button"><xsl:call-template name="m"><xsl:with-param name="key">bo.person.new-request.submit</xsl:with-param></xsl:call-template></button></p>
        </form>
      </xsl:for-each>
      <h2><xsl:call-template name="m"><xsl:with-param name="key">bo.person.requests</xsl:with-param></xsl:call-template></h2>
      <xsl:choose>
        <xsl:when test="not(v:requests/v:request)">
          <p class="empty"><xsl:call-template name="m"><xsl:with-param name="key">bo.person.no-request</xsl:with-param></xsl:call-template></p>
        </xsl:when>
        <xsl:otherwise>
          <div class="table-scroll" tabindex="0" role="region">
            <xsl:attribute name="aria-label"><xsl:value-of select="key('message', 'bo.person.requests')"/></xsl:attribute>
            <table class="requests">
              <caption><xsl:call-template name="m"><xsl:with-param name="key">bo.person.requests</xsl:with-param></xsl:call-template></caption>
              <thead>
                <tr>
                  <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.column.reference</xsl:with-param></xsl:call-template></th>
                  <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.column.service</xsl:with-param></xsl:call-template></th>
                  <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.column.channel</xsl:with-param></xsl:call-template></th>
                  <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.column.step</xsl:with-param></xsl:call-template></th>
                  <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.column.received</xsl:with-param></xsl:call-template></th>
                </tr>
              </thead>
              <tbody>
                <xsl:for-each select="v:requests/v:request">
                  <tr>
                    <th scope="row"><a href="{@href}"><xsl:value-of select="@reference"/></a></th>
                    <td><xsl:value-of select="v:service"/></td>
                    <td><xsl:value-of select="v:channel"/></td>
                    <td><xsl:value-of select="v:step"/></td>
                    <td><time datetime="{v:received/@date}"><xsl:value-of select="v:received"/></time></td>
                  </tr>
                </xsl:for-each>
              </tbody>
            </table>
          </div>
        </xsl:otherwise>
      </xsl:choose>
      <xsl:for-each select="v:elsewhere">
        <p class="hint"><xsl:value-of select="."/></p>
      </xsl:for-each>
    </xsl:for-each>
  </xsl:template>
</xsl:stylesheet>
