<?xml version="1.0" encoding="UTF-8"?>
<!-- A request's documents as PDF (the request, its receipt): the links the
     tracking page, the acknowledgement and the back office's request page
     show (each includes this file). -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">
  <xsl:template match="v:documents">
    <ul class="documents">
      <xsl:for-each select="v:document">
        <li><a href="{@href}" download="" type="application/pdf" class="document {@kind}"><xsl:value-of select="."/></a></li>
      </xsl:for-each>
    </ul>
  </xsl:template>
</xsl:stylesheet>
