<?xml version="1.0" encoding="UTF-8"?>
<!-- One agent's account, to change: name, e-mail, new password, rights,
  active or not (the form is bo-agent-form.xsl). -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">
  <xsl:include href="bo-layout.xsl"/>
  <xsl:include href="bo-agent-form.xsl"/>

  <xsl:template name="content">
    <xsl:for-each select="v:agent-edit">
      <p><a href="{@back}"><xsl:call-template name="m"><xsl:with-param name="key">bo.agent.back</xsl:with-param></xsl:call-template></a></p>
      <xsl:if test="@own = 'true'">
        <p class="notice info"><xsl:call-template name="m"><xsl:with-param name="key">bo.agent.own</xsl:with-param></xsl:call-template></p>
      </xsl:if>
      <xsl:call-template name="agent-form"/>
    </xsl:for-each>
  </xsl:template>
</xsl:stylesheet>
