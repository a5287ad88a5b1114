<?xml version="1.0" encoding="UTF-8"?>
<!-- Exporting requests: how many the console's filters select, the columns
     to write (the requests' own, then the service's fields), the format,
     and the export models of the service (a named choice of columns) to
     reopen, replace or remove; above them, the agent's background exports
     (too large to write while waiting), each with its file once ready.
     One form: download (or queue), or save the columns under a name; every
     action is a POST carrying the page's token. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">
  <xsl:include href="bo-layout.xsl"/>

  <xsl:template name="content">
    <xsl:apply-templates select="v:export"/>
  </xsl:template>

  <xsl:template match="v:export">
    <p><a href="{@console}"><xsl:call-template name="m"><xsl:with-param name="key">bo.export.back</xsl:with-param></xsl:call-template></a></p>
    <xsl:if test="v:notice">
      <p class="notice" role="status"><xsl:value-of select="v:notice"/></p>
    </xsl:if>
    <p class="count" role="status">
      <xsl:call-template name="m"><xsl:with-param name="key">bo.export.count</xsl:with-param></xsl:call-template>
      <xsl:text> </xsl:text><strong><xsl:value-of select="@total"/></strong>
      <xsl:if test="@service != ''"> — <xsl:value-of select="@service"/></xsl:if>
      <xsl:if test="number(@total) &gt; number(@most)">
        <xsl:text> </xsl:text><xsl:call-template name="m"><xsl:with-param name="key">bo.export.most</xsl:with-param></xsl:call-template>
        <xsl:text> </xsl:text><xsl:value-of select="@most"/>
      </xsl:if>
    </p>
    <xsl:if test="v:background">
      <p class="hint"><xsl:value-of select="v:background"/></p>
    </xsl:if>
    <xsl:if test="v:error[@field = 'exports']">
      <p class="error" role="alert"><xsl:value-of select="v:error[@field = 'exports']"/></p>
    </xsl:if>
    <xsl:if test="v:jobs/v:job">
      <section class="export-jobs" id="exports" aria-labelledby="jobs-title">
        <h2 id="jobs-title"><xsl:call-template name="m"><xsl:with-param name="key">bo.export.jobs</xsl:with-param></xsl:call-template></h2>
        <p><a href="{@action}"><xsl:call-template name="m"><xsl:with-param name="key">bo.export.jobs.refresh</xsl:with-param></xsl:call-template></a></p>
        <table>
          <caption class="visually-hidden"><xsl:call-template name="m"><xsl:with-param name="key">bo.export.jobs</xsl:with-param></xsl:call-template></caption>
          <thead>
            <tr>
              <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.export.jobs.asked</xsl:with-param></xsl:call-template></th>
              <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.export.jobs.format</xsl:with-param></xsl:call-template></th>
              <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.export.jobs.requests</xsl:with-param></xsl:call-template></th>
              <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.export.jobs.state</xsl:with-param></xsl:call-template></th>
            </tr>
          </thead>
          <tbody>
            <xsl:for-each select="v:jobs/v:job">
              <tr class="job {@state}">
                <td><xsl:value-of select="@queued"/></td>
                <td><xsl:value-of select="@format"/></td>
                <td>
                  <xsl:choose>
                    <xsl:when test="@rows"><xsl:value-of select="@rows"/></xsl:when>
                    <xsl:otherwise><xsl:value-of select="@expected"/></xsl:otherwise>
                  </xsl:choose>
                </td>
                <td>
                  <xsl:value-of select="v:state"/>
                  <xsl:if test="v:why"> — <xsl:value-of select="v:why"/></xsl:if>
                  <xsl:if test="@href">
                    <xsl:text> — </xsl:text>
                    <a href="{@href}" download="">
                      <xsl:call-template name="m"><xsl:with-param name="key">bo.export.job.download</xsl:with-param></xsl:call-template>
                      <xsl:text> (</xsl:text><xsl:value-of select="@format"/>, <xsl:value-of select="@size"/><xsl:text>)</xsl:text>
                    </a>
                    <xsl:text> </xsl:text>
                    <span class="hint"><xsl:value-of select="@until"/></span>
                  </xsl:if>
                </td>
              </tr>
            </xsl:for-each>
          </tbody>
        </table>
      </section>
    </xsl:if>
    <xsl:if test="v:models/v:model">
      <section class="export-models" aria-labelledby="models-title">
        <h2 id="models-title"><xsl:call-template name="m"><xsl:with-param name="key">bo.export.models</xsl:with-param></xsl:call-template></h2>
        <ul>
          <xsl:for-each select="v:models/v:model">
            <li>
              <a href="{@href}">
                <xsl:if test="@selected = 'true'"><xsl:attribute name="aria-current">true</xsl:attribute></xsl:if>
                <xsl:value-of select="."/>
              </a>
              <xsl:if test="@general = 'true'">
                <xsl:text> </xsl:text><span class="hint"><xsl:call-template name="m"><xsl:with-param name="key">bo.export.general</xsl:with-param></xsl:call-template></span>
              </xsl:if>
              <form method="post" action="{../../@action}" class="inline">
                <input type="hidden" name="_token" value="{../../@token}"/>
                <input type="hidden" name="do" value="delete"/>
                <input type="hidden" name="model" value="{@id}"/>
                <button type="submit" class="button secondary small">
                  <xsl:call-template name="m"><xsl:with-param name="key">bo.export.delete</xsl:with-param></xsl:call-template>
                  <span class="visually-hidden"><xsl:text> </xsl:text><xsl:value-of select="."/></span>
                </button>
              </form>
            </li>
          </xsl:for-each>
        </ul>
      </section>
    </xsl:if>
    <form method="post" action="{@action}" class="export-form">
      <input type="hidden" name="_token" value="{@token}"/>
      <xsl:variable name="columns-error" select="v:error[@field = 'column']"/>
      <fieldset id="export-columns">
        <xsl:if test="$columns-error"><xsl:attribute name="class">invalid</xsl:attribute><xsl:attribute name="aria-describedby">export-columns-error</xsl:attribute></xsl:if>
        <legend><xsl:call-template name="m"><xsl:with-param name="key">bo.export.columns</xsl:with-param></xsl:call-template></legend>
        <xsl:if test="$columns-error"><p class="error" id="export-columns-error"><xsl:value-of select="$columns-error"/></p></xsl:if>
        <ul class="checks">
          <xsl:for-each select="v:columns/v:column">
            <li class="check {@kind}">
              <input type="checkbox" name="column" value="{@code}" id="column-{position()}">
                <xsl:if test="@checked = 'true'"><xsl:attribute name="checked">checked</xsl:attribute></xsl:if>
              </input>
              <label for="column-{position()}"><xsl:value-of select="."/></label>
            </li>
          </xsl:for-each>
        </ul>
      </fieldset>
      <fieldset>
        <legend><xsl:call-template name="m"><xsl:with-param name="key">bo.export.format</xsl:with-param></xsl:call-template></legend>
        <p class="check"><input type="radio" name="format" value="csv" id="format-csv" checked="checked"/><label for="format-csv"><xsl:call-template name="m"><xsl:with-param name="key">bo.export.format.csv</xsl:with-param></xsl:call-template></label></p>
        <p class="check"><input type="radio" name="format" value="xlsx" id="format-xlsx"/><label for="format-xlsx"><xsl:call-template name="m"><xsl:with-param name="key">bo.export.format.xlsx</xsl:with-param></xsl:call-template></label></p>
      </fieldset>
      <p><button type="submit" name="do" value="download" class="button"><xsl:call-template name="m"><xsl:with-param name="key">bo.export.download</xsl:with-param></xsl:call-template></button></p>
      <xsl:variable name="name-error" select="v:error[@field = 'name']"/>
      <div class="field">
        <xsl:if test="$name-error"><xsl:attribute name="class">field invalid</xsl:attribute></xsl:if>
        <label for="export-name"><xsl:call-template name="m"><xsl:with-param name="key">bo.export.name</xsl:with-param></xsl:call-template></label>
        <xsl:if test="$name-error"><p class="error" id="export-name-error"><xsl:value-of select="$name-error"/></p></xsl:if>
        <input type="text" id="export-name" name="name" maxlength="80" autocomplete="off">
          <xsl:if test="$name-error">
            <xsl:attribute name="aria-invalid">true</xsl:attribute>
            <xsl:attribute name="aria-describedby">export-name-error</xsl:attribute>
          </xsl:if>
        </input>
      </div>
      <p><button type="submit" name="do" value="save" class="button secondary"><xsl:call-template name="m"><xsl:with-param name="key">bo.export.save</xsl:with-param></xsl:call-template></button></p>
    </form>
  </xsl:template>
</xsl:stylesheet>
