<?xml version="1.0" encoding="UTF-8"?>
<!--
  Page layout shared by every page: document head, header with the town's name
  and logo, main content, footer. Each page stylesheet includes this file and
  defines the template "content". Override it by dropping a layout.xsl in
  DATA/tenants/SLUG/xslt/. The view vocabulary is described in xsd/view.xsd.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">

  <xsl:output method="html" encoding="UTF-8" indent="no"
      doctype-system="about:legacy-compat"/>

  <!-- A message of the page's catalogue by key. -->
  <xsl:key name="message" match="/v:page/v:messages/v:m" use="@key"/>
  <xsl:template name="m">
    <xsl:param name="key"/>
    <xsl:value-of select="key('message', $key)"/>
  </xsl:template>

  <xsl:template match="/v:page">
    <html lang="{@lang}">
      <head>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <link rel="icon" href="data:,"/>
        <title><xsl:value-of select="v:title"/> — <xsl:value-of select="v:site/v:name"/></title>
        <xsl:for-each select="v:site/v:stylesheet">
          <link rel="stylesheet" href="{.}"/>
        </xsl:for-each>
        <xsl:for-each select="v:site/v:script">
          <script src="{.}" defer="defer"></script>
        </xsl:for-each>
      </head>
      <body class="page-{@kind}">
        <a class="skip" href="#main"><xsl:call-template name="m"><xsl:with-param name="key">skip</xsl:with-param></xsl:call-template></a>
        <header class="site">
          <div class="wrap">
            <a class="brand" href="{v:site/v:home}">
              <xsl:if test="v:site/v:logo">
                <img src="{v:site/v:logo/@src}" alt="" class="logo"/>
              </xsl:if>
              <span><xsl:value-of select="v:site/v:name"/></span>
            </a>
            <nav aria-label="Navigation">
              <ul>
                <li><a href="{v:site/v:home}"><xsl:call-template name="m"><xsl:with-param name="key">home</xsl:with-param></xsl:call-template></a></li>
                <li><a href="{v:site/v:track}"><xsl:call-template name="m"><xsl:with-param name="key">track.link</xsl:with-param></xsl:call-template></a></li>
                <xsl:if test="v:site/v:account">
                  <li><a href="{v:site/v:account}"><xsl:call-template name="m"><xsl:with-param name="key">account.nav.label</xsl:with-param></xsl:call-template></a></li>
                </xsl:if>
                <xsl:for-each select="v:site/v:language">
                  <li><a href="{@href}" lang="{@lang}" hreflang="{@lang}"><xsl:value-of select="."/></a></li>
                </xsl:for-each>
              </ul>
            </nav>
          </div>
        </header>
        <xsl:if test="v:site/v:testing">
          <div class="testing" role="note"><div class="wrap"><p><xsl:value-of select="v:site/v:testing"/></p></div></div>
        </xsl:if>
        <xsl:if test="v:site/v:intake">
          <div class="testing intake" role="note"><div class="wrap"><p><xsl:value-of select="v:site/v:intake"/><xsl:text> </xsl:text><a href="{v:site/v:intake/@back}"><xsl:call-template name="m"><xsl:with-param name="key">intake.back</xsl:with-param></xsl:call-template></a></p></div></div>
        </xsl:if>
        <main id="main" class="wrap" tabindex="-1">
          <h1><xsl:value-of select="v:title"/></h1>
          <xsl:call-template name="content"/>
        </main>
        <footer class="site">
          <div class="wrap">
            <p><xsl:value-of select="v:site/v:footer"/></p>
            <xsl:if test="v:site/v:site-url">
              <p><a href="{v:site/v:site-url}" target="_top"><xsl:call-template name="m"><xsl:with-param name="key">footer.town-site</xsl:with-param></xsl:call-template></a></p>
            </xsl:if>
          </div>
        </footer>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
