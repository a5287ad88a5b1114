<?xml version="1.0" encoding="UTF-8"?>
<!-- The map of requests: how many the console's filters choose and how
     many have a position, the districts' outlines with their names and the
     located requests as marks (each a link to its page; late ones squares,
     closed ones small and grey) drawn as inline SVG, no script; then the
     same requests in a table, which is what a screen reader reads. Over
     the town's tile server when it has one: a Leaflet map (the town's own
     assets) drawn by js/map.js from the table's rows and the districts'
     outlines, which then hides the SVG. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    xmlns:svg="http://www.w3.org/2000/svg"
    exclude-result-prefixes="v svg">
  <xsl:include href="bo-layout.xsl"/>

  <xsl:template name="content">
    <xsl:for-each select="v:map">
      <p class="map-summary"><xsl:value-of select="v:summary"/></p>
      <p><a href="{@console}"><xsl:call-template name="m"><xsl:with-param name="key">bo.map.filters</xsl:with-param></xsl:call-template></a></p>
      <xsl:if test="@tiles">
        <link rel="stylesheet" href="{@assets}leaflet.css"/>
        <div id="tile-map" class="tile-map" hidden="hidden" data-tiles="{@tiles}" data-attribution="{@attribution}" data-max-zoom="{@max-zoom}" role="region">
          <xsl:attribute name="aria-label"><xsl:value-of select="key('message', 'bo.map.plan')"/></xsl:attribute>
          <xsl:attribute name="data-zoom-in"><xsl:value-of select="key('message', 'bo.map.zoom-in')"/></xsl:attribute>
          <xsl:attribute name="data-zoom-out"><xsl:value-of select="key('message', 'bo.map.zoom-out')"/></xsl:attribute>
        </div>
      </xsl:if>
      <xsl:apply-templates select="v:plan"/>
      <xsl:choose>
        <xsl:when test="not(v:requests/v:request)">
          <p class="empty"><xsl:call-template name="m"><xsl:with-param name="key">bo.map.none</xsl:with-param></xsl:call-template></p>
        </xsl:when>
        <xsl:otherwise>
          <div class="table-scroll" tabindex="0" role="region">
            <xsl:attribute name="aria-label"><xsl:value-of select="key('message', 'bo.map.table')"/></xsl:attribute>
            <table class="requests">
              <caption><xsl:call-template name="m"><xsl:with-param name="key">bo.map.table</xsl:with-param></xsl:call-template></caption>
              <thead>
                <tr>
                  <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.column.reference</xsl:with-param></xsl:call-template></th>
                  <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.column.service</xsl:with-param></xsl:call-template></th>
                  <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.column.step</xsl:with-param></xsl:call-template></th>
                  <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.filter.district</xsl:with-param></xsl:call-template></th>
                  <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.column.received</xsl:with-param></xsl:call-template></th>
                </tr>
              </thead>
              <tbody>
                <xsl:for-each select="v:requests/v:request">
                  <tr>
                    <xsl:if test="@late = 'true'"><xsl:attribute name="class">late</xsl:attribute></xsl:if>
                    <xsl:if test="@lat"><xsl:attribute name="data-lat"><xsl:value-of select="@lat"/></xsl:attribute><xsl:attribute name="data-lon"><xsl:value-of select="@lon"/></xsl:attribute><xsl:attribute name="data-late"><xsl:value-of select="@late"/></xsl:attribute><xsl:attribute name="data-final"><xsl:value-of select="@final"/></xsl:attribute></xsl:if>
                    <th scope="row"><a href="{@href}"><xsl:value-of select="@reference"/></a>
                      <xsl:if test="@late = 'true'"><xsl:text> </xsl:text><span class="tag late"><xsl:call-template name="m"><xsl:with-param name="key">bo.tag.late</xsl:with-param></xsl:call-template></span></xsl:if>
                    </th>
                    <td><xsl:value-of select="v:service"/></td>
                    <td><xsl:value-of select="v:step"/></td>
                    <td>
                      <xsl:choose>
                        <xsl:when test="string(v:district) != ''"><xsl:value-of select="v:district"/></xsl:when>
                        <xsl:otherwise><xsl:call-template name="m"><xsl:with-param name="key">bo.map.no-district</xsl:with-param></xsl:call-template></xsl:otherwise>
                      </xsl:choose>
                    </td>
                    <td><time datetime="{v:received/@date}"><xsl:value-of select="v:received"/></time></td>
                  </tr>
                </xsl:for-each>
              </tbody>
            </table>
          </div>
        </xsl:otherwise>
      </xsl:choose>
      <xsl:if test="@tiles">
        <script src="{@assets}leaflet.js"></script>
        <script src="{@assets}map.js"></script>
      </xsl:if>
    </xsl:for-each>
  </xsl:template>

  <xsl:template match="v:plan">
    <figure class="map">
      <svg xmlns="http://www.w3.org/2000/svg" role="group" viewBox="0 0 {@width} {@height}" width="{@width}" height="{@height}" aria-labelledby="map-title" aria-describedby="map-desc" class="map-plan">
        <title id="map-title"><xsl:call-template name="m"><xsl:with-param name="key">bo.map.plan</xsl:with-param></xsl:call-template></title>
        <desc id="map-desc"><xsl:call-template name="m"><xsl:with-param name="key">bo.map.plan.desc</xsl:with-param></xsl:call-template></desc>
        <rect x="0" y="0" width="{@width}" height="{@height}" fill="#f6f6f6"/>
        <xsl:for-each select="v:area">
          <polygon points="{@points}" fill="#ffffff" stroke="#3a3a3a" stroke-width="1.5" stroke-linejoin="round" class="district district-{@code}">
            <xsl:if test="@lonlat"><xsl:attribute name="data-lonlat"><xsl:value-of select="@lonlat"/></xsl:attribute><xsl:attribute name="data-name"><xsl:value-of select="."/></xsl:attribute></xsl:if>
          </polygon>
        </xsl:for-each>
        <xsl:for-each select="v:area">
          <text x="{@x}" y="{@y}" font-size="13" text-anchor="middle" fill="#3a3a3a" aria-hidden="true"><xsl:value-of select="."/></text>
        </xsl:for-each>
        <xsl:for-each select="v:mark">
          <xsl:variable name="reference" select="@reference"/>
          <xsl:variable name="request" select="../../v:requests/v:request[@reference = $reference]"/>
          <a href="{$request/@href}" aria-label="{$reference} — {$request/v:service}, {$request/v:step}">
            <xsl:choose>
              <xsl:when test="@late = 'true'">
                <rect x="{@x - 6}" y="{@y - 6}" width="12" height="12" fill="#b00020" stroke="#ffffff" stroke-width="1.5" class="mark late"/>
              </xsl:when>
              <xsl:when test="@final = 'true'">
                <circle cx="{@x}" cy="{@y}" r="4.5" fill="#595959" stroke="#ffffff" stroke-width="1.5" class="mark final"/>
              </xsl:when>
              <xsl:otherwise>
                <circle cx="{@x}" cy="{@y}" r="6.5" fill="#0b4ea2" stroke="#ffffff" stroke-width="1.5" class="mark open"/>
              </xsl:otherwise>
            </xsl:choose>
          </a>
        </xsl:for-each>
      </svg>
      <figcaption>
        <ul class="map-legend">
          <li><svg xmlns="http://www.w3.org/2000/svg" width="14" height="14" aria-hidden="true"><circle cx="7" cy="7" r="6" fill="#0b4ea2"/></svg><xsl:text> </xsl:text><xsl:call-template name="m"><xsl:with-param name="key">bo.map.legend.open</xsl:with-param></xsl:call-template></li>
          <li><svg xmlns="http://www.w3.org/2000/svg" width="14" height="14" aria-hidden="true"><rect x="1" y="1" width="12" height="12" fill="#b00020"/></svg><xsl:text> </xsl:text><xsl:call-template name="m"><xsl:with-param name="key">bo.map.legend.late</xsl:with-param></xsl:call-template></li>
          <li><svg xmlns="http://www.w3.org/2000/svg" width="14" height="14" aria-hidden="true"><circle cx="7" cy="7" r="4.5" fill="#595959"/></svg><xsl:text> </xsl:text><xsl:call-template name="m"><xsl:with-param name="key">bo.map.legend.final</xsl:with-param></xsl:call-template></li>
        </ul>
      </figcaption>
    </figure>
  </xsl:template>
</xsl:stylesheet>
