<?xml version="1.0" encoding="UTF-8"?>
<!-- The town's message templates (administrators): each template with its subject, whether the town reworded it, and the services and steps it is reworded for. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">
  <xsl:include href="bo-layout.xsl"/>

  <xsl:template name="content">
    <xsl:for-each select="v:templates">
      <p><a href="{@back}"><xsl:call-template name="m"><xsl:with-param name="key">bo.agent.back</xsl:with-param></xsl:call-template></a></p>
      <p><xsl:call-template name="m"><xsl:with-param name="key">bo.templates.help</xsl:with-param></xsl:call-template></p>
      <xsl:call-template name="template-table">
        <xsl:with-param name="audience">citizen</xsl:with-param>
      </xsl:call-template>
      <xsl:call-template name="template-table">
        <xsl:with-param name="audience">letters</xsl:with-param>
      </xsl:call-template>
      <xsl:call-template name="template-table">
        <xsl:with-param name="audience">agents</xsl:with-param>
      </xsl:call-template>
    </xsl:for-each>
  </xsl:template>

  <xsl:template name="template-table">
    <xsl:param name="audience"/>
    <xsl:variable name="title" select="concat('bo.templates.', $audience)"/>
    <h2 id="templates-{$audience}"><xsl:call-template name="m"><xsl:with-param name="key" select="$title"/></xsl:call-template></h2>
    <div class="table-scroll" tabindex="0" role="region">
      <xsl:attribute name="aria-label"><xsl:value-of select="key('message', $title)"/></xsl:attribute>
      <table class="agents templates">
        <caption class="visually-hidden"><xsl:call-template name="m"><xsl:with-param name="key" select="$title"/></xsl:call-template></caption>
        <thead>
          <tr>
            <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.templates.message</xsl:with-param></xsl:call-template></th>
            <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.template.subject-field</xsl:with-param></xsl:call-template></th>
            <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.templates.reworded</xsl:with-param></xsl:call-template></th>
          </tr>
        </thead>
        <tbody>
          <xsl:for-each select="v:template[@audience = $audience]">
            <tr>
              <th scope="row"><a href="{@href}"><xsl:value-of select="v:label"/></a></th>
              <td><xsl:value-of select="v:subject"/></td>
              <td>
                <xsl:if test="@own = 'true'"><p class="tag admin"><xsl:call-template name="m"><xsl:with-param name="key">bo.templates.town</xsl:with-param></xsl:call-template></p></xsl:if>
                <xsl:if test="v:reworded">
                  <ul class="roles">
                    <xsl:for-each select="v:reworded"><li><a href="{@href}"><xsl:value-of select="."/></a></li></xsl:for-each>
                  </ul>
                </xsl:if>
                <xsl:if test="@own = 'false' and not(v:reworded)"><xsl:call-template name="m"><xsl:with-param name="key">bo.templates.default</xsl:with-param></xsl:call-template></xsl:if>
              </td>
            </tr>
          </xsl:for-each>
        </tbody>
      </table>
    </div>
  </xsl:template>
</xsl:stylesheet>
