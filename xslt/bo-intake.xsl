<?xml version="1.0" encoding="UTF-8"?>
<!-- The agents' intake: the channel a request came through (phone,
     counter, letter, fax), each a link to the catalogue of the online
     services at that channel's intake desk; and, after recording one the
     agent may not open, its reference. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">
  <xsl:include href="bo-layout.xsl"/>

  <xsl:template name="content">
    <xsl:for-each select="v:intake">
      <xsl:if test="v:recorded">
        <p class="notice success" role="status"><xsl:value-of select="v:recorded"/></p>
      </xsl:if>
      <p><xsl:call-template name="m"><xsl:with-param name="key">bo.intake.intro</xsl:with-param></xsl:call-template></p>
      <ul class="intake-channels">
        <xsl:for-each select="v:channel">
          <li><a class="button secondary" href="{@href}"><xsl:value-of select="."/></a></li>
        </xsl:for-each>
      </ul>
    </xsl:for-each>
  </xsl:template>
</xsl:stylesheet>
