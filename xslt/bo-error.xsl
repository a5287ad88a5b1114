<?xml version="1.0" encoding="UTF-8"?>
<!-- Back-office error pages (access refused…). -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">
  <xsl:include href="bo-layout.xsl"/>

  <xsl:template name="content">
    <p><xsl:value-of select="v:error"/></p>
    <xsl:if test="v:backoffice">
      <p><a href="{v:backoffice/@home}"><xsl:call-template name="m"><xsl:with-param name="key">bo.back</xsl:with-param></xsl:call-template></a></p>
    </xsl:if>
  </xsl:template>
</xsl:stylesheet>
