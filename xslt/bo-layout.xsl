<?xml version="1.0" encoding="UTF-8"?>
<!--
  Layout of the agents' back office: the town's name, the agent's bar
  (console, administration, who is logged in, log out), the content, no
  citizen navigation. Each back-office stylesheet includes this file and
  defines the template "content". The views are described in
  docs/backoffice-views.md and xsd/view.xsd.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">

  <xsl:output method="html" encoding="UTF-8" indent="no"
      doctype-system="about:legacy-compat"/>

  <xsl:key name="message" match="/v:page/v:messages/v:m" use="@key"/>
  <xsl:template name="m">
    <xsl:param name="key"/>
    <xsl:value-of select="key('message', $key)"/>
  </xsl:template>

  <!-- A notice: success is a status, errors and conflicts are alerts. -->
  <xsl:template match="v:notice">
    <div class="notice {@kind}">
      <xsl:attribute name="role">
        <xsl:choose>
          <xsl:when test="@kind = 'success'">status</xsl:when>
          <xsl:otherwise>alert</xsl:otherwise>
        </xsl:choose>
      </xsl:attribute>
      <p><xsl:value-of select="."/></p>
    </div>
  </xsl:template>

  <!-- Messages sent or to send (request page, admin page). -->
  <xsl:template name="deliveries">
    <xsl:param name="title"/>
    <xsl:param name="id"/>
    <div class="table-scroll" tabindex="0" role="region" aria-labelledby="{$id}">
      <table class="deliveries">
        <caption id="{$id}"><xsl:value-of select="$title"/></caption>
        <thead>
          <tr>
            <xsl:if test="v:delivery/@reference"><th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.column.reference</xsl:with-param></xsl:call-template></th></xsl:if>
            <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.deliveries.to</xsl:with-param></xsl:call-template></th>
            <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.deliveries.subject</xsl:with-param></xsl:call-template></th>
            <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.deliveries.state</xsl:with-param></xsl:call-template></th>
          </tr>
        </thead>
        <tbody>
          <xsl:for-each select="v:delivery">
            <tr class="delivery-{@state}">
              <xsl:if test="@reference"><td><a href="{@href}"><xsl:value-of select="@reference"/></a></td></xsl:if>
              <td><xsl:value-of select="v:address"/><xsl:text> </xsl:text><span class="tag"><xsl:call-template name="m"><xsl:with-param name="key" select="concat('bo.channel.', @channel)"/></xsl:call-template></span></td>
              <td><xsl:value-of select="v:subject"/></td>
              <td><xsl:value-of select="v:status"/>
                <xsl:if test="@attempts &gt; 1"> (<xsl:value-of select="@attempts"/>)</xsl:if>
                <xsl:if test="v:error"><br/><span class="delivery-error"><xsl:value-of select="v:error"/></span></xsl:if>
              </td>
            </tr>
          </xsl:for-each>
        </tbody>
      </table>
    </div>
  </xsl:template>

  <xsl:template match="/v:page">
    <html lang="{@lang}">
      <head>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="robots" content="noindex"/>
        <link rel="icon" href="data:,"/>
        <title><xsl:value-of select="v:title"/> — <xsl:call-template name="m"><xsl:with-param name="key">bo.title</xsl:with-param></xsl:call-template> — <xsl:value-of select="v:site/v:name"/></title>
        <xsl:for-each select="v:site/v:stylesheet">
          <link rel="stylesheet" href="{.}"/>
        </xsl:for-each>
      </head>
      <body class="bo page-{@kind}">
        <a class="skip" href="#main"><xsl:call-template name="m"><xsl:with-param name="key">skip</xsl:with-param></xsl:call-template></a>
        <header class="site">
          <div class="wrap">
            <p class="brand">
              <span><xsl:value-of select="v:site/v:name"/></span>
              <span class="bo-name"><xsl:call-template name="m"><xsl:with-param name="key">bo.title</xsl:with-param></xsl:call-template></span>
            </p>
            <xsl:for-each select="v:backoffice">
              <nav aria-label="{key('message', 'bo.nav')}">
                <ul>
                  <li><a href="{@home}"><xsl:call-template name="m"><xsl:with-param name="key">bo.nav.console</xsl:with-param></xsl:call-template></a></li>
                  <xsl:if test="@stats">
                    <li><a href="{@stats}"><xsl:call-template name="m"><xsl:with-param name="key">bo.nav.stats</xsl:with-param></xsl:call-template></a></li>
                  </xsl:if>
                  <xsl:if test="@campaigns">
                    <li><a href="{@campaigns}"><xsl:call-template name="m"><xsl:with-param name="key">bo.nav.campaigns</xsl:with-param></xsl:call-template></a></li>
                  </xsl:if>
                  <xsl:if test="@inbound">
                    <li><a href="{@inbound}"><xsl:call-template name="m"><xsl:with-param name="key">bo.nav.inbound</xsl:with-param></xsl:call-template></a></li>
                  </xsl:if>
                  <xsl:if test="@people">
                    <li><a href="{@people}"><xsl:call-template name="m"><xsl:with-param name="key">bo.nav.people</xsl:with-param></xsl:call-template></a></li>
                  </xsl:if>
                  <xsl:if test="@map">
                    <li><a href="{@map}"><xsl:call-template name="m"><xsl:with-param name="key">bo.nav.map</xsl:with-param></xsl:call-template></a></li>
                  </xsl:if>
                  <xsl:if test="@intake">
                    <li><a href="{@intake}"><xsl:call-template name="m"><xsl:with-param name="key">bo.nav.intake</xsl:with-param></xsl:call-template></a></li>
                  </xsl:if>
                  <xsl:if test="@test">
                    <li><a href="{@test}"><xsl:call-template name="m"><xsl:with-param name="key">bo.nav.test</xsl:with-param></xsl:call-template></a></li>
                  </xsl:if>
                  <xsl:if test="@admin">
                    <li><a href="{@admin}"><xsl:call-template name="m"><xsl:with-param name="key">bo.nav.admin</xsl:with-param></xsl:call-template></a></li>
                  </xsl:if>
                  <li class="who"><xsl:call-template name="m"><xsl:with-param name="key">bo.nav.agent</xsl:with-param></xsl:call-template><xsl:text> </xsl:text><strong><xsl:value-of select="v:agent"/></strong></li>
                  <li>
                    <form method="post" action="{@logout}" class="logout">
                      <input type="hidden" name="_token" value="{@token}"/>
                      <button type="submit" class="link"><xsl:call-template name="m"><xsl:with-param name="key">bo.nav.logout</xsl:with-param></xsl:call-template></button>
                    </form>
                  </li>
                </ul>
              </nav>
            </xsl:for-each>
          </div>
        </header>
        <main id="main" class="wrap" tabindex="-1">
          <h1><xsl:value-of select="v:title"/></h1>
          <xsl:call-template name="content"/>
        </main>
        <footer class="site">
          <div class="wrap"><p><xsl:value-of select="v:site/v:footer"/></p></div>
        </footer>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
