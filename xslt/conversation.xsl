<?xml version="1.0" encoding="UTF-8"?>
<!-- A request's messages between the town and the citizen, and the form the
     citizen replies with (the tracking page and the account's request page
     include it). -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">

  <xsl:template match="v:correct">
    <div class="notice info" role="status">
      <p><xsl:value-of select="v:notice"/></p>
      <p><a href="{@href}" class="button"><xsl:value-of select="v:link"/></a></p>
    </div>
  </xsl:template>

  <xsl:template match="v:replies">
    <h2><xsl:call-template name="m"><xsl:with-param name="key">track.messages</xsl:with-param></xsl:call-template></h2>
    <ul class="replies">
      <xsl:for-each select="v:message">
        <li class="from-{@from}">
          <p class="when"><span class="who"><xsl:value-of select="v:who"/></span> — <time datetime="{@date}"><xsl:value-of select="v:when"/></time></p>
          <p class="text">
            <xsl:if test="@from = 'town'"><xsl:attribute name="lang">fr</xsl:attribute></xsl:if>
            <xsl:value-of select="v:text"/>
          </p>
        </li>
      </xsl:for-each>
    </ul>
  </xsl:template>

  <xsl:template match="v:reply">
    <h2 id="reply-title"><xsl:call-template name="m"><xsl:with-param name="key">track.reply.title</xsl:with-param></xsl:call-template></h2>
    <xsl:if test="v:sent"><div class="notice info" role="status"><p><xsl:value-of select="v:sent"/></p></div></xsl:if>
    <form method="post" action="{@action}" id="reply" novalidate="novalidate" aria-labelledby="reply-title">
      <input type="hidden" name="_token" value="{@token}"/>
      <div class="field">
        <xsl:if test="v:error"><xsl:attribute name="class">field has-error</xsl:attribute></xsl:if>
        <label for="reply-text"><xsl:value-of select="v:label"/></label>
        <p class="help" id="reply-text-help"><xsl:value-of select="v:help"/></p>
        <xsl:if test="v:error"><p class="error-message" id="reply-text-error" role="alert"><xsl:value-of select="v:error"/></p></xsl:if>
        <textarea id="reply-text" name="text" rows="5" maxlength="{@maxlength}">
          <xsl:attribute name="aria-describedby">reply-text-help<xsl:if test="v:error"> reply-text-error</xsl:if></xsl:attribute>
          <xsl:if test="v:error"><xsl:attribute name="aria-invalid">true</xsl:attribute></xsl:if>
          <xsl:value-of select="v:value"/>
        </textarea>
      </div>
      <p><button type="submit" class="button"><xsl:call-template name="m"><xsl:with-param name="key">track.reply.submit</xsl:with-param></xsl:call-template></button></p>
    </form>
  </xsl:template>
</xsl:stylesheet>
