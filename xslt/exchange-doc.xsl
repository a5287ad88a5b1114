<?xml version="1.0" encoding="UTF-8"?>
<!-- The exchange API's documentation for the developers of business software: endpoint, WSDL, signing a call (WS-Security), each operation's parameters and results, the types, the faults, example exchanges. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">
  <xsl:include href="layout.xsl"/>

  <xsl:template name="params">
    <xsl:param name="caption"/>
    <div class="table-scroll" tabindex="0" role="region" aria-label="{$caption}">
      <table class="agents doc-parameters">
        <caption><xsl:value-of select="$caption"/></caption>
        <thead>
          <tr>
            <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">doc.path</xsl:with-param></xsl:call-template></th>
            <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">doc.type</xsl:with-param></xsl:call-template></th>
            <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">doc.meaning</xsl:with-param></xsl:call-template></th>
          </tr>
        </thead>
        <tbody>
          <xsl:for-each select="v:param">
            <tr>
              <th scope="row"><code><xsl:value-of select="@name"/></code></th>
              <td>
                <code><xsl:value-of select="@type"/></code>
                <xsl:text>, </xsl:text>
                <xsl:choose>
                  <xsl:when test="@required = 'true'"><xsl:call-template name="m"><xsl:with-param name="key">doc.required</xsl:with-param></xsl:call-template></xsl:when>
                  <xsl:otherwise><xsl:call-template name="m"><xsl:with-param name="key">doc.optional</xsl:with-param></xsl:call-template></xsl:otherwise>
                </xsl:choose>
                <xsl:if test="@many = 'true'"><xsl:text>, </xsl:text><xsl:call-template name="m"><xsl:with-param name="key">exchange.repeated</xsl:with-param></xsl:call-template></xsl:if>
              </td>
              <td lang="fr"><xsl:value-of select="."/></td>
            </tr>
          </xsl:for-each>
        </tbody>
      </table>
    </div>
  </xsl:template>

  <xsl:template name="content">
    <xsl:for-each select="v:exchange-doc">
      <p><xsl:call-template name="m"><xsl:with-param name="key">exchange.intro</xsl:with-param></xsl:call-template></p>
      <dl class="receipt doc-summary">
        <dt><xsl:call-template name="m"><xsl:with-param name="key">exchange.endpoint</xsl:with-param></xsl:call-template></dt>
        <dd><code><xsl:value-of select="@endpoint"/></code></dd>
        <dt><xsl:call-template name="m"><xsl:with-param name="key">doc.wsdl</xsl:with-param></xsl:call-template></dt>
        <dd><a href="{@wsdl}"><xsl:value-of select="@wsdl"/></a></dd>
        <dt><xsl:call-template name="m"><xsl:with-param name="key">exchange.namespace</xsl:with-param></xsl:call-template></dt>
        <dd><code><xsl:value-of select="@namespace"/></code></dd>
      </dl>
      <h2 id="security"><xsl:call-template name="m"><xsl:with-param name="key">exchange.security</xsl:with-param></xsl:call-template></h2>
      <p>
        <xsl:call-template name="m"><xsl:with-param name="key">exchange.security-text</xsl:with-param></xsl:call-template>
      </p>
      <p>
        <xsl:call-template name="m"><xsl:with-param name="key">exchange.security-window</xsl:with-param></xsl:call-template>
        <xsl:text> </xsl:text><xsl:value-of select="@window-minutes"/><xsl:text> min.</xsl:text>
      </p>
      <h2 id="operations"><xsl:call-template name="m"><xsl:with-param name="key">exchange.operations</xsl:with-param></xsl:call-template></h2>
      <ul>
        <xsl:for-each select="v:operation"><li><a href="#op-{@name}"><code><xsl:value-of select="@name"/></code></a></li></xsl:for-each>
      </ul>
      <xsl:for-each select="v:operation">
        <h3 id="op-{@name}"><code><xsl:value-of select="@name"/></code></h3>
        <p lang="fr"><xsl:value-of select="v:doc"/></p>
        <xsl:for-each select="v:input">
          <xsl:call-template name="params"><xsl:with-param name="caption"><xsl:value-of select="../@name"/> — <xsl:value-of select="key('message', 'exchange.input')"/></xsl:with-param></xsl:call-template>
        </xsl:for-each>
        <xsl:for-each select="v:output">
          <xsl:call-template name="params"><xsl:with-param name="caption"><xsl:value-of select="../@name"/>Response — <xsl:value-of select="key('message', 'exchange.output')"/></xsl:with-param></xsl:call-template>
        </xsl:for-each>
        <p>
          <xsl:call-template name="m"><xsl:with-param name="key">exchange.op-faults</xsl:with-param></xsl:call-template>
          <xsl:text> </xsl:text>
          <xsl:for-each select="v:fault"><a href="#fault-{@code}"><code><xsl:value-of select="@code"/></code></a><xsl:if test="position() != last()">, </xsl:if></xsl:for-each>
        </p>
      </xsl:for-each>
      <h2 id="types"><xsl:call-template name="m"><xsl:with-param name="key">exchange.types</xsl:with-param></xsl:call-template></h2>
      <xsl:for-each select="v:type">
        <h3 id="type-{@name}"><code><xsl:value-of select="@name"/></code></h3>
        <p lang="fr"><xsl:value-of select="v:doc"/></p>
        <xsl:for-each select="v:fields">
          <xsl:call-template name="params"><xsl:with-param name="caption"><xsl:value-of select="../@name"/></xsl:with-param></xsl:call-template>
        </xsl:for-each>
      </xsl:for-each>
      <dl>
        <xsl:for-each select="v:simple-type">
          <dt><code><xsl:value-of select="@name"/></code></dt>
          <dd lang="fr"><xsl:value-of select="."/></dd>
        </xsl:for-each>
      </dl>
      <h2 id="faults"><xsl:call-template name="m"><xsl:with-param name="key">doc.faults</xsl:with-param></xsl:call-template></h2>
      <p><xsl:call-template name="m"><xsl:with-param name="key">exchange.faults-text</xsl:with-param></xsl:call-template></p>
      <dl>
        <xsl:for-each select="v:fault-code">
          <dt id="fault-{@code}"><code><xsl:value-of select="@code"/></code></dt>
          <dd lang="fr"><xsl:value-of select="."/></dd>
        </xsl:for-each>
      </dl>
      <h2 id="examples"><xsl:call-template name="m"><xsl:with-param name="key">exchange.examples</xsl:with-param></xsl:call-template></h2>
      <xsl:for-each select="v:example">
        <h3><code><xsl:value-of select="@operation"/></code></h3>
        <p><xsl:call-template name="m"><xsl:with-param name="key">exchange.request</xsl:with-param></xsl:call-template></p>
        <pre tabindex="0" class="code-block"><code><xsl:value-of select="v:request"/></code></pre>
        <p><xsl:call-template name="m"><xsl:with-param name="key">exchange.response</xsl:with-param></xsl:call-template></p>
        <pre tabindex="0" class="code-block"><code><xsl:value-of select="v:response"/></code></pre>
      </xsl:for-each>
    </xsl:for-each>
  </xsl:template>
</xsl:stylesheet>
