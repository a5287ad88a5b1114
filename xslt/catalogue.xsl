<?xml version="1.0" encoding="UTF-8"?>
<!-- The catalogue: services grouped by theme. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">
  <xsl:include href="layout.xsl"/>

  <xsl:template name="content">
    <p class="intro"><xsl:call-template name="m"><xsl:with-param name="key">catalogue.intro</xsl:with-param></xsl:call-template></p>
    <xsl:for-each select="v:catalogue">
      <form method="get" action="{@search}" role="search" class="catalogue-search">
        <label for="catalogue-q"><xsl:call-template name="m"><xsl:with-param name="key">catalogue.search.label</xsl:with-param></xsl:call-template></label>
        <xsl:if test="@lang"><input type="hidden" name="lang" value="{@lang}"/></xsl:if>
        <input type="search" id="catalogue-q" name="q" value="{@query}" autocomplete="off"/>
        <xsl:text> </xsl:text>
        <button type="submit" class="button secondary"><xsl:call-template name="m"><xsl:with-param name="key">catalogue.search.button</xsl:with-param></xsl:call-template></button>
      </form>
      <xsl:if test="v:result">
        <p class="search-result" role="status"><xsl:value-of select="v:result"/>
          <xsl:text> </xsl:text><a href="{@search}"><xsl:call-template name="m"><xsl:with-param name="key">catalogue.search.all</xsl:with-param></xsl:call-template></a>
        </p>
      </xsl:if>
    </xsl:for-each>
    <xsl:for-each select="v:catalogue/v:theme">
      <section class="theme" aria-labelledby="theme-{@code}">
        <h2 id="theme-{@code}"><xsl:copy-of select="v:label/@lang"/><xsl:value-of select="v:label"/></h2>
        <ul class="services">
          <xsl:for-each select="v:service">
            <li class="service">
              <h3><a href="{@href}"><xsl:copy-of select="v:title/@lang"/><xsl:value-of select="v:title"/></a>
                <xsl:if test="@test = 'true'"><xsl:text> </xsl:text><span class="badge test"><xsl:call-template name="m"><xsl:with-param name="key">test.badge</xsl:with-param></xsl:call-template></span></xsl:if>
              </h3>
              <p><xsl:copy-of select="v:description/@lang"/><xsl:value-of select="v:description"/></p>
              <p class="deadline"><xsl:value-of select="v:deadline"/></p>
            </li>
          </xsl:for-each>
        </ul>
      </section>
    </xsl:for-each>
    <details class="webmasters">
      <summary><xsl:call-template name="m"><xsl:with-param name="key">catalogue.webmasters</xsl:with-param></xsl:call-template></summary>
      <ul>
        <xsl:for-each select="v:catalogue/v:theme/v:service">
          <li><a href="{@doc}"><xsl:copy-of select="v:title/@lang"/><xsl:value-of select="v:title"/></a></li>
        </xsl:for-each>
      </ul>
    </details>
  </xsl:template>
</xsl:stylesheet>
