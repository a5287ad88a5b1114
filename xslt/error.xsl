<?xml version="1.0" encoding="UTF-8"?>
<!-- Error pages (page not found…). -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">
  <xsl:include href="layout.xsl"/>

  <xsl:template name="content">
    <p><xsl:value-of select="v:error"/></p>
    <p><a href="{v:site/v:home}"><xsl:call-template name="m"><xsl:with-param name="key">page.back</xsl:with-param></xsl:call-template></a></p>
  </xsl:template>
</xsl:stylesheet>
