<?xml version="1.0" encoding="UTF-8"?>
<!-- The satisfaction questionnaire of a closed request: three questions
     marked from 1 to 5, each a group of radio buttons whose legend is the
     question, a comment, and one button; its error next to each field.
     Answered, the thanks; answered before, or no longer open, why. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">
  <xsl:include href="layout.xsl"/>

  <xsl:template name="content">
    <xsl:apply-templates select="v:satisfaction"/>
  </xsl:template>

  <xsl:template match="v:satisfaction">
    <p class="lead">
      <xsl:call-template name="m"><xsl:with-param name="key">satisfaction.about</xsl:with-param></xsl:call-template>
      <xsl:text> </xsl:text><strong><xsl:value-of select="@reference"/></strong>
      <xsl:text> — </xsl:text><xsl:value-of select="@service"/>
    </p>
    <xsl:choose>
      <xsl:when test="@state = 'thanks'">
        <div class="notice success" role="status"><p><xsl:call-template name="m"><xsl:with-param name="key">satisfaction.thanks</xsl:with-param></xsl:call-template></p></div>
      </xsl:when>
      <xsl:when test="@state = 'answered'">
        <div class="notice" role="status"><p><xsl:call-template name="m"><xsl:with-param name="key">satisfaction.answered</xsl:with-param></xsl:call-template></p></div>
      </xsl:when>
      <xsl:when test="@state = 'closed'">
        <div class="notice" role="status"><p><xsl:call-template name="m"><xsl:with-param name="key">satisfaction.closed</xsl:with-param></xsl:call-template></p></div>
      </xsl:when>
      <xsl:otherwise>
        <xsl:if test="v:expired or v:question/v:error or v:comment/v:error">
          <div class="notice error" role="alert" id="satisfaction-errors">
            <p>
              <xsl:choose>
                <xsl:when test="v:expired"><xsl:value-of select="v:expired"/></xsl:when>
                <xsl:otherwise><xsl:call-template name="m"><xsl:with-param name="key">satisfaction.errors</xsl:with-param></xsl:call-template></xsl:otherwise>
              </xsl:choose>
            </p>
          </div>
        </xsl:if>
        <form method="post" action="{@action}" class="satisfaction" novalidate="novalidate">
          <input type="hidden" name="_token" value="{@token}"/>
          <p class="help"><xsl:call-template name="m"><xsl:with-param name="key">satisfaction.help</xsl:with-param></xsl:call-template></p>
          <xsl:for-each select="v:question">
            <xsl:variable name="q" select="@name"/>
            <fieldset class="field choices marks" id="q-{$q}">
              <xsl:if test="v:error">
                <xsl:attribute name="class">field choices marks has-error</xsl:attribute>
                <xsl:attribute name="aria-describedby">q-<xsl:value-of select="$q"/>-error</xsl:attribute>
              </xsl:if>
              <legend><xsl:value-of select="@label"/></legend>
              <xsl:if test="v:error">
                <p class="error-message" id="q-{$q}-error"><xsl:value-of select="v:error"/></p>
              </xsl:if>
              <xsl:for-each select="v:mark">
                <div class="choice">
                  <input type="radio" id="q-{$q}-{@value}" name="{$q}" value="{@value}">
                    <xsl:if test="@selected = 'true'"><xsl:attribute name="checked">checked</xsl:attribute></xsl:if>
                  </input>
                  <label for="q-{$q}-{@value}"><xsl:value-of select="."/></label>
                </div>
              </xsl:for-each>
            </fieldset>
          </xsl:for-each>
          <div class="field">
            <xsl:if test="v:comment/v:error"><xsl:attribute name="class">field has-error</xsl:attribute></xsl:if>
            <label for="comment"><xsl:call-template name="m"><xsl:with-param name="key">satisfaction.comment</xsl:with-param></xsl:call-template></label>
            <p class="help" id="comment-help"><xsl:call-template name="m"><xsl:with-param name="key">satisfaction.comment.help</xsl:with-param></xsl:call-template></p>
            <xsl:if test="v:comment/v:error">
              <p class="error-message" id="comment-error"><xsl:value-of select="v:comment/v:error"/></p>
            </xsl:if>
            <textarea id="comment" name="comment" rows="5" maxlength="2000">
              <xsl:attribute name="aria-describedby">comment-help<xsl:if test="v:comment/v:error"> comment-error</xsl:if></xsl:attribute>
              <xsl:if test="v:comment/v:error"><xsl:attribute name="aria-invalid">true</xsl:attribute></xsl:if>
              <xsl:value-of select="v:comment/v:value"/>
            </textarea>
          </div>
          <p><button type="submit" class="button"><xsl:call-template name="m"><xsl:with-param name="key">satisfaction.send</xsl:with-param></xsl:call-template></button></p>
        </form>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>
</xsl:stylesheet>
