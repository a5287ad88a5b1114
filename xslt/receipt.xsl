<?xml version="1.0" encoding="UTF-8"?>
<!-- The acknowledgement: reference, due date, tracking code and link, printable. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">
  <xsl:include href="layout.xsl"/>
  <xsl:include href="documents.xsl"/>

  <xsl:template name="content">
    <xsl:variable name="r" select="v:receipt"/>
    <div class="notice success" role="status">
      <p><xsl:value-of select="$r/v:service"/></p>
    </div>
    <dl class="receipt">
      <dt><xsl:call-template name="m"><xsl:with-param name="key">receipt.reference</xsl:with-param></xsl:call-template></dt>
      <dd id="reference"><xsl:value-of select="$r/@reference"/></dd>
      <dt><xsl:call-template name="m"><xsl:with-param name="key">receipt.submitted</xsl:with-param></xsl:call-template></dt>
      <dd><time datetime="{$r/@submitted}"><xsl:value-of select="$r/v:submitted"/></time></dd>
      <dt><xsl:call-template name="m"><xsl:with-param name="key">receipt.due-date</xsl:with-param></xsl:call-template></dt>
      <dd id="due-date"><time datetime="{$r/@due-date}"><xsl:value-of select="$r/v:due-date"/></time></dd>
      <dt><xsl:call-template name="m"><xsl:with-param name="key">receipt.tracking-code</xsl:with-param></xsl:call-template></dt>
      <dd><strong id="tracking-code" class="code"><xsl:value-of select="$r/@tracking-code"/></strong></dd>
    </dl>
    <p><xsl:call-template name="m"><xsl:with-param name="key">receipt.keep-code</xsl:with-param></xsl:call-template></p>
    <p class="actions">
      <a class="button" id="tracking-link" href="{$r/@tracking-url}"><xsl:call-template name="m"><xsl:with-param name="key">receipt.track</xsl:with-param></xsl:call-template></a>
      <button type="button" class="button secondary" data-print="data-print" hidden="hidden"><xsl:call-template name="m"><xsl:with-param name="key">receipt.print</xsl:with-param></xsl:call-template></button>
    </p>
    <xsl:apply-templates select="$r/v:documents"/>
    <p class="print-hint"><xsl:call-template name="m"><xsl:with-param name="key">receipt.print-hint</xsl:with-param></xsl:call-template></p>
  </xsl:template>
</xsl:stylesheet>
