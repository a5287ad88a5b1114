<?xml version="1.0" encoding="UTF-8"?>
<!-- The agents' login page. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">
  <xsl:include href="bo-layout.xsl"/>

  <xsl:template name="content">
    <xsl:for-each select="v:login">
      <form method="post" action="{@action}" class="login" novalidate="novalidate">
        <input type="hidden" name="_token" value="{@token}"/>
        <xsl:if test="@next"><input type="hidden" name="next" value="{@next}"/></xsl:if>
        <xsl:if test="v:error">
          <div class="notice error" role="alert" id="login-error">
            <p><xsl:value-of select="v:error"/></p>
          </div>
        </xsl:if>
        <div class="field">
          <label for="login"><xsl:call-template name="m"><xsl:with-param name="key">bo.login.login</xsl:with-param></xsl:call-template></label>
          <input type="text" id="login" name="login" value="{@value}" autocomplete="username" autocapitalize="none" spellcheck="false" required="required">
            <xsl:if test="v:error"><xsl:attribute name="aria-describedby">login-error</xsl:attribute></xsl:if>
          </input>
        </div>
        <div class="field">
          <label for="password"><xsl:call-template name="m"><xsl:with-param name="key">bo.login.password</xsl:with-param></xsl:call-template></label>
          <input type="password" id="password" name="password" autocomplete="current-password" required="required"/>
        </div>
        <p><button type="submit" class="button"><xsl:call-template name="m"><xsl:with-param name="key">bo.login.submit</xsl:with-param></xsl:call-template></button></p>
      </form>
    </xsl:for-each>
  </xsl:template>
</xsl:stylesheet>
