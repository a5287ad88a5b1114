<?xml version="1.0" encoding="UTF-8"?>
<!-- The statistics page: the period and department chosen, then each table
     of figures, some with a bar chart drawn beside it as inline SVG (the
     view gives every bar's place), each with its CSV and XML exports. The
     chart is an image with a title and a description for screen readers;
     the table after it holds the same figures. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">
  <xsl:include href="bo-layout.xsl"/>

  <xsl:template name="content">
    <xsl:apply-templates select="v:stats"/>
  </xsl:template>

  <xsl:template match="v:stats">
    <form method="get" action="{@action}" class="filters stats-period">
      <xsl:attribute name="aria-label"><xsl:value-of select="key('message', 'bo.stats.choose')"/></xsl:attribute>
      <div class="field">
        <label for="stats-period"><xsl:call-template name="m"><xsl:with-param name="key">bo.stats.period</xsl:with-param></xsl:call-template></label>
        <select id="stats-period" name="period">
          <xsl:for-each select="v:periods/v:period">
            <option value="{@value}">
              <xsl:if test="@selected = 'true'"><xsl:attribute name="selected">selected</xsl:attribute></xsl:if>
              <xsl:value-of select="."/>
            </option>
          </xsl:for-each>
        </select>
      </div>
      <xsl:call-template name="date-field"><xsl:with-param name="name">from</xsl:with-param><xsl:with-param name="value" select="@from"/></xsl:call-template>
      <xsl:call-template name="date-field"><xsl:with-param name="name">to</xsl:with-param><xsl:with-param name="value" select="@to"/></xsl:call-template>
      <xsl:if test="count(v:departments/v:department) &gt; 1">
        <div class="field">
          <label for="stats-department"><xsl:call-template name="m"><xsl:with-param name="key">bo.stats.department</xsl:with-param></xsl:call-template></label>
          <select id="stats-department" name="department">
            <option value=""><xsl:call-template name="m"><xsl:with-param name="key">bo.stats.department.all</xsl:with-param></xsl:call-template></option>
            <xsl:for-each select="v:departments/v:department">
              <option value="{@code}">
                <xsl:if test="@selected = 'true'"><xsl:attribute name="selected">selected</xsl:attribute></xsl:if>
                <xsl:value-of select="."/>
              </option>
            </xsl:for-each>
          </select>
        </div>
      </xsl:if>
      <xsl:if test="count(v:services/v:service) &gt; 1">
        <div class="field">
          <label for="stats-service"><xsl:call-template name="m"><xsl:with-param name="key">bo.stats.service</xsl:with-param></xsl:call-template></label>
          <select id="stats-service" name="service">
            <option value=""><xsl:call-template name="m"><xsl:with-param name="key">bo.stats.service.all</xsl:with-param></xsl:call-template></option>
            <xsl:for-each select="v:services/v:service">
              <option value="{@code}">
                <xsl:if test="@selected = 'true'"><xsl:attribute name="selected">selected</xsl:attribute></xsl:if>
                <xsl:value-of select="."/>
              </option>
            </xsl:for-each>
          </select>
        </div>
      </xsl:if>
      <div class="field">
        <label for="stats-group"><xsl:call-template name="m"><xsl:with-param name="key">bo.stats.group</xsl:with-param></xsl:call-template></label>
        <select id="stats-group" name="group">
          <option value=""><xsl:call-template name="m"><xsl:with-param name="key">bo.stats.group.all</xsl:with-param></xsl:call-template></option>
          <xsl:for-each select="v:groups/v:group">
            <option value="{@value}">
              <xsl:if test="@selected = 'true'"><xsl:attribute name="selected">selected</xsl:attribute></xsl:if>
              <xsl:value-of select="."/>
            </option>
          </xsl:for-each>
        </select>
      </div>
      <p class="filter-submit"><button type="submit" class="button secondary"><xsl:call-template name="m"><xsl:with-param name="key">bo.stats.show</xsl:with-param></xsl:call-template></button></p>
    </form>
    <xsl:if test="v:notice">
      <p class="notice" role="status"><xsl:value-of select="v:notice"/></p>
    </xsl:if>
    <p class="count" role="status"><xsl:value-of select="v:heading"/></p>
    <xsl:apply-templates select="v:saved"/>
    <xsl:apply-templates select="v:table"/>
  </xsl:template>

  <!-- The saved queries the agent sees, each a link that reopens it with
       the figures of the day, with its monthly e-mail to take or stop and,
       for its owner, a button that removes it; then the form that saves
       what the page shows. Every action is a POST carrying the token. -->
  <xsl:template match="v:saved">
    <xsl:variable name="action" select="../@action"/>
    <xsl:variable name="token" select="../@token"/>
    <section class="saved-queries" aria-labelledby="saved-title">
      <h2 id="saved-title"><xsl:call-template name="m"><xsl:with-param name="key">bo.stats.saved</xsl:with-param></xsl:call-template></h2>
      <xsl:choose>
        <xsl:when test="v:query">
          <ul class="saved-list">
            <xsl:for-each select="v:query">
              <li>
                <a href="{@href}">
                  <xsl:if test="@current = 'true'"><xsl:attribute name="aria-current">page</xsl:attribute></xsl:if>
                  <xsl:value-of select="."/>
                </a>
                <xsl:if test="@current = 'true'"><xsl:text> </xsl:text><xsl:call-template name="m"><xsl:with-param name="key">bo.stats.saved.current</xsl:with-param></xsl:call-template></xsl:if>
                <span class="saved-meta"> — <xsl:value-of select="@who"/>, <xsl:value-of select="@sharing"/></span>
                <xsl:if test="../@email = 'true' or @subscribed = 'true'">
                  <form method="post" action="{$action}" class="inline">
                    <input type="hidden" name="_token" value="{$token}"/>
                    <input type="hidden" name="query" value="{@id}"/>
                    <xsl:choose>
                      <xsl:when test="@subscribed = 'true'">
                        <button type="submit" name="do" value="unsubscribe" class="button secondary small"><xsl:call-template name="m"><xsl:with-param name="key">bo.stats.saved.unsubscribe</xsl:with-param></xsl:call-template><span class="visually-hidden"> — <xsl:value-of select="."/></span></button>
                      </xsl:when>
                      <xsl:otherwise>
                        <button type="submit" name="do" value="subscribe" class="button secondary small"><xsl:call-template name="m"><xsl:with-param name="key">bo.stats.saved.subscribe</xsl:with-param></xsl:call-template><span class="visually-hidden"> — <xsl:value-of select="."/></span></button>
                      </xsl:otherwise>
                    </xsl:choose>
                  </form>
                </xsl:if>
                <xsl:if test="@editable = 'true'">
                  <form method="post" action="{$action}" class="inline">
                    <input type="hidden" name="_token" value="{$token}"/>
                    <input type="hidden" name="query" value="{@id}"/>
                    <button type="submit" name="do" value="delete" class="button secondary small"><xsl:call-template name="m"><xsl:with-param name="key">bo.stats.saved.delete</xsl:with-param></xsl:call-template><span class="visually-hidden"> — <xsl:value-of select="."/></span></button>
                  </form>
                </xsl:if>
              </li>
            </xsl:for-each>
          </ul>
        </xsl:when>
        <xsl:otherwise>
          <p class="empty"><xsl:call-template name="m"><xsl:with-param name="key">bo.stats.saved.none</xsl:with-param></xsl:call-template></p>
        </xsl:otherwise>
      </xsl:choose>
      <xsl:if test="@email != 'true'">
        <p class="hint"><xsl:call-template name="m"><xsl:with-param name="key">bo.stats.saved.no-email</xsl:with-param></xsl:call-template></p>
      </xsl:if>
      <xsl:apply-templates select="v:save"/>
    </section>
  </xsl:template>

  <xsl:template match="v:save">
    <xsl:variable name="invalid" select="@error-field = 'name'"/>
    <form method="post" action="{../../@action}" class="save-query" aria-labelledby="save-title">
      <h3 id="save-title"><xsl:call-template name="m"><xsl:with-param name="key">bo.stats.save</xsl:with-param></xsl:call-template></h3>
      <input type="hidden" name="_token" value="{../../@token}"/>
      <xsl:for-each select="v:param">
        <input type="hidden" name="{@name}" value="{@value}"/>
      </xsl:for-each>
      <p class="hint" id="save-hint"><xsl:call-template name="m"><xsl:with-param name="key">bo.stats.save.hint</xsl:with-param></xsl:call-template></p>
      <div class="field">
        <xsl:if test="$invalid"><xsl:attribute name="class">field invalid</xsl:attribute></xsl:if>
        <label for="save-name"><xsl:call-template name="m"><xsl:with-param name="key">bo.stats.save.name</xsl:with-param></xsl:call-template></label>
        <xsl:if test="$invalid">
          <p class="error" id="save-name-error"><xsl:value-of select="@error"/></p>
        </xsl:if>
        <input type="text" id="save-name" name="name" maxlength="80" aria-describedby="save-hint">
          <xsl:if test="$invalid">
            <xsl:attribute name="aria-invalid">true</xsl:attribute>
            <xsl:attribute name="aria-describedby">save-name-error save-hint</xsl:attribute>
          </xsl:if>
        </input>
      </div>
      <div class="field">
        <label for="save-share"><xsl:call-template name="m"><xsl:with-param name="key">bo.stats.save.share</xsl:with-param></xsl:call-template></label>
        <select id="save-share" name="share">
          <option value=""><xsl:call-template name="m"><xsl:with-param name="key">bo.stats.save.private</xsl:with-param></xsl:call-template></option>
          <xsl:for-each select="v:share">
            <option value="{@code}">
<xsl:value-of select="."/>
            </option>
          </xsl:for-each>
        </select>
      </div>
      <p><button type="submit" name="do" value="save" class="button"><xsl:call-template name="m"><xsl:with-param name="key">bo.stats.save.button</xsl:with-param></xsl:call-template></button></p>
    </form>
  </xsl:template>

  <xsl:template name="date-field">
    <xsl:param name="name"/>
    <xsl:param name="value"/>
    <xsl:variable name="error" select="v:error[@field = $name]"/>
    <div class="field">
      <xsl:if test="$error"><xsl:attribute name="class">field invalid</xsl:attribute></xsl:if>
      <label for="stats-{$name}"><xsl:call-template name="m"><xsl:with-param name="key" select="concat('bo.stats.', $name)"/></xsl:call-template></label>
      <xsl:if test="$error">
        <p class="error" id="stats-{$name}-error"><xsl:value-of select="$error"/></p>
      </xsl:if>
      <input type="date" id="stats-{$name}" name="{$name}" value="{$value}">
        <xsl:if test="$error">
          <xsl:attribute name="aria-invalid">true</xsl:attribute>
          <xsl:attribute name="aria-describedby">stats-<xsl:value-of select="$name"/>-error</xsl:attribute>
        </xsl:if>
      </input>
    </div>
  </xsl:template>

  <xsl:template match="v:table">
    <section class="stats-table" id="table-{@id}" aria-labelledby="table-{@id}-title">
      <h2 id="table-{@id}-title"><xsl:value-of select="v:title"/></h2>
      <xsl:apply-templates select="v:chart"/>
      <xsl:choose>
        <xsl:when test="v:row">
          <div class="table-scroll" tabindex="0" role="region" aria-labelledby="table-{@id}-title">
            <table>
              <caption class="visually-hidden"><xsl:value-of select="v:title"/></caption>
              <thead>
                <tr>
                  <xsl:for-each select="v:columns/v:column">
                    <th scope="col"><xsl:value-of select="."/></th>
                  </xsl:for-each>
                </tr>
              </thead>
              <tbody>
                <xsl:for-each select="v:row">
                  <tr>
                    <xsl:for-each select="v:cell">
                      <xsl:choose>
                        <xsl:when test="position() = 1"><th scope="row"><xsl:value-of select="."/></th></xsl:when>
                        <xsl:otherwise><td class="number"><xsl:value-of select="."/></td></xsl:otherwise>
                      </xsl:choose>
                    </xsl:for-each>
                  </tr>
                </xsl:for-each>
              </tbody>
            </table>
          </div>
        </xsl:when>
        <xsl:otherwise>
          <p class="empty"><xsl:call-template name="m"><xsl:with-param name="key">bo.stats.empty</xsl:with-param></xsl:call-template></p>
        </xsl:otherwise>
      </xsl:choose>
      <p class="exports">
        <a href="{@csv}" download=""><xsl:call-template name="m"><xsl:with-param name="key">bo.stats.csv</xsl:with-param></xsl:call-template><span class="visually-hidden"> — <xsl:value-of select="v:title"/></span></a>
        <xsl:text> · </xsl:text>
        <a href="{@xml}" download=""><xsl:call-template name="m"><xsl:with-param name="key">bo.stats.xml</xsl:with-param></xsl:call-template><span class="visually-hidden"> — <xsl:value-of select="v:title"/></span></a>
      </p>
    </section>
  </xsl:template>

  <!-- Colours with at least 3:1 contrast on white (WCAG 1.4.11), set on the
       shapes themselves so that a chart prints without the stylesheet. -->
  <xsl:template name="fill">
    <xsl:param name="series"/>
    <xsl:choose>
      <xsl:when test="$series = '0'">#000091</xsl:when>
      <xsl:when test="$series = '1'">#c9191e</xsl:when>
      <xsl:otherwise>#3a3a3a</xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="v:chart">
    <xsl:variable name="id" select="concat('chart-', ../@id)"/>
    <figure class="chart">
      <svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {@width} {@height}" width="{@width}" height="{@height}" aria-labelledby="{$id}-title {$id}-desc" class="bar-chart">
        <title id="{$id}-title"><xsl:value-of select="../v:title"/></title>
        <desc id="{$id}-desc"><xsl:call-template name="m"><xsl:with-param name="key" select="concat('bo.stats.chart.desc.', @kind)"/></xsl:call-template></desc>
        <xsl:for-each select="v:legend">
          <xsl:variable name="fill"><xsl:call-template name="fill"><xsl:with-param name="series" select="@series"/></xsl:call-template></xsl:variable>
          <rect x="{@x - 14}" y="{@y - 10}" width="10" height="10" fill="{$fill}"/>
          <text x="{@x}" y="{@y}" font-size="12" fill="#161616"><xsl:value-of select="."/></text>
        </xsl:for-each>
        <xsl:choose>
          <xsl:when test="@kind = 'lines'">
            <xsl:variable name="chart" select="."/>
            <!-- The scale on the left, a faint grid line at each tick. -->
            <xsl:for-each select="v:tick">
              <line x1="{$chart/@axis-x}" y1="{@y - 4}" x2="{$chart/@right}" y2="{@y - 4}" stroke="#dddddd" stroke-width="1"/>
              <text x="{@x}" y="{@y}" font-size="11" text-anchor="end" fill="#3a3a3a"><xsl:value-of select="."/></text>
            </xsl:for-each>
            <line x1="{@axis-x}" y1="{@top}" x2="{@axis-x}" y2="{@axis-y}" stroke="#666" stroke-width="1"/>
            <line x1="{@axis-x}" y1="{@axis-y}" x2="{@right}" y2="{@axis-y}" stroke="#666" stroke-width="1"/>
            <xsl:for-each select="v:label">
              <text x="{@x}" y="{@y}" font-size="11" text-anchor="end" fill="#161616" transform="rotate(-40 {@x} {@y})"><xsl:value-of select="."/></text>
            </xsl:for-each>
            <xsl:for-each select="v:line">
              <xsl:variable name="stroke"><xsl:call-template name="fill"><xsl:with-param name="series" select="@series"/></xsl:call-template></xsl:variable>
              <polyline points="{@points}" fill="none" stroke="{$stroke}" stroke-width="2">
                <xsl:if test="@series != '0'"><xsl:attribute name="stroke-dasharray">6 3</xsl:attribute></xsl:if>
              </polyline>
              <xsl:for-each select="v:point">
                <circle cx="{@x}" cy="{@y}" r="3" fill="{$stroke}"/>
              </xsl:for-each>
            </xsl:for-each>
          </xsl:when>
          <xsl:otherwise>
            <line x1="{@axis-x}" y1="{@top}" x2="{@axis-x}" y2="{@axis-y}" stroke="#666" stroke-width="1"/>
            <line x1="{@axis-x}" y1="{@axis-y}" x2="{@right}" y2="{@axis-y}" stroke="#666" stroke-width="1"/>
            <xsl:for-each select="v:label">
              <text x="{@x}" y="{@y}" font-size="12" text-anchor="end" fill="#161616"><xsl:value-of select="."/></text>
            </xsl:for-each>
            <xsl:for-each select="v:bar">
              <xsl:variable name="fill"><xsl:call-template name="fill"><xsl:with-param name="series" select="@series"/></xsl:call-template></xsl:variable>
              <rect x="{@x}" y="{@y}" width="{@width}" height="{@height}" fill="{$fill}"/>
              <text x="{@x + @width + 4}" y="{@y + @height - 2}" font-size="11" fill="#161616"><xsl:value-of select="."/></text>
            </xsl:for-each>
            <xsl:for-each select="v:tick">
              <text x="{@x}" y="{@y}" font-size="11" text-anchor="middle" fill="#3a3a3a"><xsl:value-of select="."/></text>
            </xsl:for-each>
          </xsl:otherwise>
        </xsl:choose>
      </svg>
    </figure>
  </xsl:template>
</xsl:stylesheet>
