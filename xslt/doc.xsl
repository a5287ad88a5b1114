<?xml version="1.0" encoding="UTF-8"?>
<!-- A service's documentation for the town's webmaster: operation, delay, parameters (limits in words, as the WSDL's annotations say them), rules, example envelope, PHP / zeep / iframe snippets, faults. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">
  <xsl:include href="layout.xsl"/>

  <xsl:template name="content">
    <xsl:for-each select="v:service-doc">
      <xsl:if test="v:description"><p lang="fr"><xsl:value-of select="v:description"/></p></xsl:if>
      <p class="deadline" lang="fr"><xsl:value-of select="v:deadline"/></p>
      <xsl:if test="v:booking"><p lang="fr"><xsl:value-of select="v:booking"/></p></xsl:if>
      <dl class="receipt doc-summary">
        <dt><xsl:call-template name="m"><xsl:with-param name="key">doc.operation</xsl:with-param></xsl:call-template></dt>
        <dd><code><xsl:value-of select="@operation"/></code></dd>
        <dt><xsl:call-template name="m"><xsl:with-param name="key">doc.wsdl</xsl:with-param></xsl:call-template></dt>
        <dd><a href="{@wsdl}"><xsl:value-of select="@wsdl"/></a></dd>
        <dt><xsl:call-template name="m"><xsl:with-param name="key">doc.form</xsl:with-param></xsl:call-template></dt>
        <dd><a href="{@form}"><xsl:value-of select="@form"/></a></dd>
      </dl>
      <h2 id="parameters"><xsl:call-template name="m"><xsl:with-param name="key">doc.parameters</xsl:with-param></xsl:call-template></h2>
      <div class="table-scroll" tabindex="0" role="region">
        <xsl:attribute name="aria-label"><xsl:value-of select="key('message', 'doc.parameters')"/></xsl:attribute>
        <table class="agents doc-parameters">
          <caption class="visually-hidden"><xsl:call-template name="m"><xsl:with-param name="key">doc.parameters</xsl:with-param></xsl:call-template></caption>
          <thead>
            <tr>
              <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">doc.path</xsl:with-param></xsl:call-template></th>
              <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">doc.meaning</xsl:with-param></xsl:call-template></th>
              <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">doc.type</xsl:with-param></xsl:call-template></th>
              <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">doc.limits</xsl:with-param></xsl:call-template></th>
            </tr>
          </thead>
          <tbody>
            <xsl:for-each select="v:parameter">
              <tr>
                <th scope="row"><code><xsl:value-of select="@path"/></code></th>
                <td>
                  <span lang="fr"><xsl:value-of select="v:label"/></span>
                  <xsl:if test="v:help"><br/><span class="hint" lang="fr"><xsl:value-of select="v:help"/></span></xsl:if>
                </td>
                <td>
                  <xsl:value-of select="@type"/>
                  <xsl:text>, </xsl:text>
                  <xsl:choose>
                    <xsl:when test="@required = 'true'"><xsl:call-template name="m"><xsl:with-param name="key">doc.required</xsl:with-param></xsl:call-template></xsl:when>
                    <xsl:otherwise><xsl:call-template name="m"><xsl:with-param name="key">doc.optional</xsl:with-param></xsl:call-template></xsl:otherwise>
                  </xsl:choose>
                </td>
                <td>
                  <xsl:for-each select="v:limit"><span lang="fr"><xsl:value-of select="."/></span><xsl:text> </xsl:text></xsl:for-each>
                  <xsl:if test="v:option">
                    <ul class="roles">
                      <xsl:for-each select="v:option"><li><code><xsl:value-of select="@value"/></code><xsl:text> : </xsl:text><span lang="fr"><xsl:value-of select="."/></span></li></xsl:for-each>
                    </ul>
                  </xsl:if>
                </td>
              </tr>
            </xsl:for-each>
          </tbody>
        </table>
      </div>
      <xsl:if test="v:rule">
        <h2 id="rules"><xsl:call-template name="m"><xsl:with-param name="key">doc.rules</xsl:with-param></xsl:call-template></h2>
        <ul>
          <xsl:for-each select="v:rule"><li lang="fr"><xsl:value-of select="."/> <xsl:text> </xsl:text><span class="code">(<xsl:value-of select="@code"/>)</span></li></xsl:for-each>
        </ul>
      </xsl:if>
      <h2 id="example"><xsl:call-template name="m"><xsl:with-param name="key">doc.example</xsl:with-param></xsl:call-template></h2>
      <p><xsl:call-template name="m"><xsl:with-param name="key">doc.example-help</xsl:with-param></xsl:call-template></p>
      <pre tabindex="0" class="code-block" id="example-envelope"><code><xsl:value-of select="v:example"/></code></pre>
      <h2 id="php">PHP (SoapClient)</h2>
      <pre tabindex="0" class="code-block"><code><xsl:value-of select="v:php"/></code></pre>
      <h2 id="zeep">Python (zeep)</h2>
      <pre tabindex="0" class="code-block"><code><xsl:value-of select="v:zeep"/></code></pre>
      <h2 id="iframe"><xsl:call-template name="m"><xsl:with-param name="key">doc.iframe</xsl:with-param></xsl:call-template></h2>
      <p><xsl:call-template name="m"><xsl:with-param name="key">doc.iframe-help</xsl:with-param></xsl:call-template></p>
      <pre tabindex="0" class="code-block"><code><xsl:value-of select="v:iframe"/></code></pre>
      <h2 id="faults"><xsl:call-template name="m"><xsl:with-param name="key">doc.faults</xsl:with-param></xsl:call-template></h2>
      <ul>
        <li><xsl:call-template name="m"><xsl:with-param name="key">doc.fault-validation</xsl:with-param></xsl:call-template></li>
        <li><xsl:call-template name="m"><xsl:with-param name="key">doc.fault-envelope</xsl:with-param></xsl:call-template></li>
        <li><xsl:call-template name="m"><xsl:with-param name="key">doc.fault-server</xsl:with-param></xsl:call-template></li>
      </ul>
    </xsl:for-each>
  </xsl:template>
</xsl:stylesheet>
