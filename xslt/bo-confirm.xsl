<?xml version="1.0" encoding="UTF-8"?>
<!-- Confirmation of a mass action: the requests it will apply to. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">
  <xsl:include href="bo-layout.xsl"/>

  <xsl:template name="content">
    <xsl:for-each select="v:confirm">
      <form method="post" action="{@action}" class="confirm">
        <input type="hidden" name="_token" value="{@token}"/>
        <input type="hidden" name="action" value="{@action-id}"/>
        <input type="hidden" name="confirm" value="yes"/>
        <p>
          <xsl:call-template name="m"><xsl:with-param name="key">bo.confirm.intro</xsl:with-param></xsl:call-template>
          <xsl:text> « </xsl:text><strong><xsl:value-of select="v:label"/></strong><xsl:text> »</xsl:text>
          <xsl:text> (</xsl:text><xsl:value-of select="count(v:request)"/><xsl:text>) :</xsl:text>
        </p>
        <ul class="confirm-list">
          <xsl:for-each select="v:request">
            <li>
              <input type="hidden" name="ref" value="{@reference}"/>
              <strong><xsl:value-of select="@reference"/></strong>
              <xsl:text> — </xsl:text><xsl:value-of select="."/>
            </li>
          </xsl:for-each>
        </ul>
        <div class="actions">
          <button type="submit" class="button"><xsl:call-template name="m"><xsl:with-param name="key">bo.confirm.submit</xsl:with-param></xsl:call-template></button>
          <a class="button secondary" href="{@cancel}"><xsl:call-template name="m"><xsl:with-param name="key">bo.confirm.cancel</xsl:with-param></xsl:call-template></a>
        </div>
      </form>
    </xsl:for-each>
  </xsl:template>
</xsl:stylesheet>
