<?xml version="1.0" encoding="UTF-8"?>
<!-- The console: filters, the requests table (sortable, late ones marked),
     mass actions and pages. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">
  <xsl:include href="bo-layout.xsl"/>

  <xsl:template name="content">
    <xsl:apply-templates select="v:console"/>
  </xsl:template>

  <xsl:template match="v:console">
    <xsl:apply-templates select="v:notice"/>
    <form method="get" action="{@action}" class="filters" role="search">
      <xsl:attribute name="aria-label"><xsl:value-of select="key('message', 'bo.filters')"/></xsl:attribute>
      <xsl:for-each select="v:filters/v:filter">
        <div class="field filter-{@name}">
          <xsl:choose>
            <xsl:when test="@type = 'checkbox'">
              <div class="choice single">
                <input type="checkbox" id="filter-{@name}" name="{@name}" value="{@value}">
                  <xsl:if test="@checked = 'true'"><xsl:attribute name="checked">checked</xsl:attribute></xsl:if>
                </input>
                <label for="filter-{@name}"><xsl:value-of select="v:label"/></label>
              </div>
            </xsl:when>
            <xsl:when test="@type = 'select'">
              <label for="filter-{@name}"><xsl:value-of select="v:label"/></label>
              <select id="filter-{@name}" name="{@name}">
                <xsl:for-each select="v:option">
                  <option value="{@value}">
                    <xsl:if test="@selected = 'true'"><xsl:attribute name="selected">selected</xsl:attribute></xsl:if>
                    <xsl:value-of select="."/>
                  </option>
                </xsl:for-each>
              </select>
            </xsl:when>
            <xsl:otherwise>
              <label for="filter-{@name}"><xsl:value-of select="v:label"/></label>
              <input type="search" id="filter-{@name}" name="{@name}" value="{@value}"/>
            </xsl:otherwise>
          </xsl:choose>
        </div>
      </xsl:for-each>
      <xsl:for-each select="v:filters/v:hidden">
        <input type="hidden" name="{@name}" value="{@value}"/>
      </xsl:for-each>
      <p class="filter-submit"><button type="submit" class="button secondary"><xsl:call-template name="m"><xsl:with-param name="key">bo.filters.submit</xsl:with-param></xsl:call-template></button></p>
    </form>

    <p class="count" id="count" role="status">
      <strong><xsl:value-of select="@total"/></strong>
      <xsl:text> </xsl:text>
      <xsl:call-template name="m"><xsl:with-param name="key">bo.console.requests</xsl:with-param></xsl:call-template>
      <xsl:if test="@total &gt; 0">
        <xsl:text> — </xsl:text>
        <xsl:call-template name="m"><xsl:with-param name="key">bo.console.shown</xsl:with-param></xsl:call-template>
        <xsl:text> </xsl:text><xsl:value-of select="@first"/>
        <xsl:text> </xsl:text><xsl:call-template name="m"><xsl:with-param name="key">bo.console.to</xsl:with-param></xsl:call-template>
        <xsl:text> </xsl:text><xsl:value-of select="@last"/>
      </xsl:if>
    </p>
    <xsl:if test="@total &gt; 0">
      <p class="export-link"><a href="{@export}"><xsl:call-template name="m"><xsl:with-param name="key">bo.console.export</xsl:with-param></xsl:call-template></a>
        <xsl:text> · </xsl:text><a href="{@map}"><xsl:call-template name="m"><xsl:with-param name="key">bo.console.map</xsl:with-param></xsl:call-template></a></p>
    </xsl:if>

    <xsl:choose>
      <xsl:when test="not(v:requests/v:request)">
        <p class="empty"><xsl:call-template name="m"><xsl:with-param name="key">bo.console.empty</xsl:with-param></xsl:call-template></p>
      </xsl:when>
      <xsl:when test="v:mass">
        <form method="post" action="{v:mass/@action}" class="mass">
          <input type="hidden" name="_token" value="{v:mass/@token}"/>
          <xsl:call-template name="table"/>
          <div class="mass-controls">
            <div class="field">
              <label for="mass-action"><xsl:call-template name="m"><xsl:with-param name="key">bo.mass.label</xsl:with-param></xsl:call-template></label>
              <select id="mass-action" name="action">
                <xsl:for-each select="v:mass/v:action">
                  <option value="{@id}"><xsl:value-of select="."/></option>
                </xsl:for-each>
              </select>
            </div>
            <p><button type="submit" class="button"><xsl:call-template name="m"><xsl:with-param name="key">bo.mass.submit</xsl:with-param></xsl:call-template></button></p>
          </div>
        </form>
      </xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="table"/>
      </xsl:otherwise>
    </xsl:choose>

    <xsl:if test="v:pager/*">
      <nav class="pager">
        <xsl:attribute name="aria-label"><xsl:value-of select="key('message', 'bo.pager')"/></xsl:attribute>
        <ul>
          <xsl:if test="v:pager/v:prev">
            <li><a href="{v:pager/v:prev/@href}" rel="prev"><xsl:call-template name="m"><xsl:with-param name="key">bo.pager.prev</xsl:with-param></xsl:call-template></a></li>
          </xsl:if>
          <li class="current"><xsl:call-template name="m"><xsl:with-param name="key">bo.pager.page</xsl:with-param></xsl:call-template><xsl:text> </xsl:text><xsl:value-of select="@page"/> / <xsl:value-of select="@pages"/></li>
          <xsl:if test="v:pager/v:next">
            <li><a href="{v:pager/v:next/@href}" rel="next"><xsl:call-template name="m"><xsl:with-param name="key">bo.pager.next</xsl:with-param></xsl:call-template></a></li>
          </xsl:if>
        </ul>
      </nav>
    </xsl:if>
  </xsl:template>

  <xsl:template name="table">
    <div class="table-scroll" tabindex="0" role="region">
      <xsl:attribute name="aria-label"><xsl:value-of select="key('message', 'bo.console.caption')"/></xsl:attribute>
      <table class="requests">
        <caption><xsl:call-template name="m"><xsl:with-param name="key">bo.console.caption</xsl:with-param></xsl:call-template></caption>
        <thead>
          <tr>
            <xsl:if test="v:mass">
              <th scope="col"><span class="visually-hidden"><xsl:call-template name="m"><xsl:with-param name="key">bo.mass.select</xsl:with-param></xsl:call-template></span></th>
            </xsl:if>
            <xsl:for-each select="v:columns/v:column">
              <th scope="col">
                <xsl:if test="@sort = 'ascending' or @sort = 'descending'">
                  <xsl:attribute name="aria-sort"><xsl:value-of select="@sort"/></xsl:attribute>
                </xsl:if>
                <xsl:choose>
                  <xsl:when test="@href">
                    <a href="{@href}"><xsl:value-of select="."/>
                      <xsl:if test="@sort = 'ascending'"><span aria-hidden="true"> ▲</span></xsl:if>
                      <xsl:if test="@sort = 'descending'"><span aria-hidden="true"> ▼</span></xsl:if>
                    </a>
                  </xsl:when>
                  <xsl:otherwise><xsl:value-of select="."/></xsl:otherwise>
                </xsl:choose>
              </th>
            </xsl:for-each>
          </tr>
        </thead>
        <tbody>
          <xsl:for-each select="v:requests/v:request">
            <tr>
              <xsl:attribute name="class">
                <xsl:if test="@late = 'true'">late</xsl:if>
                <xsl:if test="@soon = 'true'">soon</xsl:if>
                <xsl:if test="@final = 'true'"> final</xsl:if>
              </xsl:attribute>
              <xsl:if test="../../v:mass">
                <td class="select">
                  <input type="checkbox" name="ref" value="{@reference}" id="ref-{@reference}"/>
                  <label for="ref-{@reference}" class="visually-hidden"><xsl:call-template name="m"><xsl:with-param name="key">bo.mass.select-one</xsl:with-param></xsl:call-template><xsl:text> </xsl:text><xsl:value-of select="@reference"/></label>
                </td>
              </xsl:if>
              <th scope="row"><a href="{@href}"><xsl:value-of select="@reference"/></a>
                <xsl:if test="@test = 'true'"><br/><span class="tag test"><xsl:call-template name="m"><xsl:with-param name="key">bo.tag.test</xsl:with-param></xsl:call-template></span></xsl:if>
              </th>
              <td><xsl:value-of select="v:service"/></td>
              <td><xsl:value-of select="v:channel"/></td>
              <td><span class="step-label"><xsl:if test="v:step/@colour"><xsl:attribute name="class">step-label step-colour-<xsl:value-of select="substring(v:step/@colour, 2)"/></xsl:attribute></xsl:if><xsl:value-of select="v:step"/></span>
                <xsl:if test="@waiting = 'true'"><br/><span class="tag waiting"><xsl:call-template name="m"><xsl:with-param name="key">bo.tag.waiting</xsl:with-param></xsl:call-template></span></xsl:if>
                <xsl:if test="@unread = 'true'"><br/><span class="tag unread"><xsl:call-template name="m"><xsl:with-param name="key">bo.tag.unread</xsl:with-param></xsl:call-template></span></xsl:if>
              </td>
              <td><xsl:value-of select="v:subject"/></td>
              <td><time datetime="{v:received/@date}"><xsl:value-of select="v:received"/></time></td>
              <td class="due">
                <time datetime="{v:due/@date}"><xsl:value-of select="v:due"/></time>
                <xsl:if test="@late = 'true'"><br/><span class="tag late"><xsl:call-template name="m"><xsl:with-param name="key">bo.tag.late</xsl:with-param></xsl:call-template></span></xsl:if>
                <xsl:if test="@soon = 'true'"><br/><span class="tag soon"><xsl:call-template name="m"><xsl:with-param name="key">bo.tag.soon</xsl:with-param></xsl:call-template></span></xsl:if>
              </td>
              <td><xsl:value-of select="v:department"/></td>
            </tr>
          </xsl:for-each>
        </tbody>
      </table>
    </div>
  </xsl:template>
</xsl:stylesheet>
