<?xml version="1.0" encoding="UTF-8"?>
<!-- One message received: who, how, when, where it is routed, its text and
     files; while it is in the queue, the agent's four answers (make it a
     request of a service, add it to a request, forward it, file it). -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">
  <xsl:include href="bo-layout.xsl"/>

  <xsl:template name="content">
    <xsl:for-each select="v:inbound-item">
      <p><a href="{@queue}"><xsl:call-template name="m"><xsl:with-param name="key">bo.inbound.back</xsl:with-param></xsl:call-template></a></p>
      <xsl:for-each select="v:error">
        <div class="notice error" role="alert"><p><xsl:value-of select="."/></p></div>
      </xsl:for-each>
      <xsl:for-each select="v:message">
        <dl class="summary">
          <dt><xsl:call-template name="m"><xsl:with-param name="key">bo.inbound.sender</xsl:with-param></xsl:call-template></dt>
          <dd><xsl:value-of select="v:sender"/></dd>
          <dt><xsl:call-template name="m"><xsl:with-param name="key">bo.inbound.channel</xsl:with-param></xsl:call-template></dt>
          <dd><xsl:value-of select="v:channel"/></dd>
          <dt><xsl:call-template name="m"><xsl:with-param name="key">bo.inbound.received</xsl:with-param></xsl:call-template></dt>
          <dd><time datetime="{v:received/@date}"><xsl:value-of select="v:received"/></time></dd>
          <dt><xsl:call-template name="m"><xsl:with-param name="key">bo.inbound.department</xsl:with-param></xsl:call-template></dt>
          <dd><xsl:value-of select="v:department"/></dd>
          <xsl:for-each select="v:service">
            <dt><xsl:call-template name="m"><xsl:with-param name="key">bo.inbound.suggested</xsl:with-param></xsl:call-template></dt>
            <dd><xsl:value-of select="."/></dd>
          </xsl:for-each>
          <xsl:for-each select="v:request">
            <dt><xsl:call-template name="m"><xsl:with-param name="key">bo.inbound.made</xsl:with-param></xsl:call-template></dt>
            <dd><a href="{@href}"><xsl:value-of select="."/></a></dd>
          </xsl:for-each>
        </dl>
        <h2><xsl:call-template name="m"><xsl:with-param name="key">bo.inbound.text</xsl:with-param></xsl:call-template></h2>
        <div class="message-text {@channel}"><xsl:value-of select="v:text"/></div>
        <xsl:if test="v:file">
          <h2><xsl:call-template name="m"><xsl:with-param name="key">bo.inbound.files</xsl:with-param></xsl:call-template></h2>
          <ul>
            <xsl:for-each select="v:file">
              <li><a href="{@href}"><xsl:value-of select="."/></a></li>
            </xsl:for-each>
          </ul>
        </xsl:if>
      </xsl:for-each>
      <xsl:for-each select="v:actions">
        <h2><xsl:call-template name="m"><xsl:with-param name="key">bo.inbound.make</xsl:with-param></xsl:call-template></h2>
        <form method="get" action="{@intake}" class="inbound-make">
          <input type="hidden" name="inbound" value="{../v:message/@id}"/>
          <div class="field">
            <label for="make-service"><xsl:call-template name="m"><xsl:with-param name="key">bo.inbound.make.service</xsl:with-param></xsl:call-template></label>
            <select id="make-service" name="service">
              <xsl:for-each select="v:service">
                <option value="{@code}">
                  <xsl:if test="@suggested = 'true'"><xsl:attribute name="selected">selected</xsl:attribute></xsl:if>
                  <xsl:value-of select="."/>
                </option>
              </xsl:for-each>
            </select>
          </div>
          <p><button type="submit" class="button"><xsl:call-template name="m"><xsl:with-param name="key">bo.inbound.make.submit</xsl:with-param></xsl:call-template></button></p>
        </form>
        <h2><xsl:call-template name="m"><xsl:with-param name="key">bo.inbound.reply</xsl:with-param></xsl:call-template></h2>
        <form method="post" action="{@action}" class="inbound-reply">
          <input type="hidden" name="_token" value="{/v:page/v:backoffice/@token}"/>
          <input type="hidden" name="do" value="reply"/>
          <div class="field">
            <label for="reply-reference"><xsl:call-template name="m"><xsl:with-param name="key">bo.inbound.reply.reference</xsl:with-param></xsl:call-template></label>
            <input type="text" id="reply-reference" name="reference" inputmode="numeric" pattern="[0-9]{{4}}-[0-9]{{1,9}}" autocomplete="off"/>
          </div>
          <p><button type="submit" class="button secondary"><xsl:call-template name="m"><xsl:with-param name="key">bo.inbound.reply.submit</xsl:with-param></xsl:call-template></button></p>
        </form>
        <xsl:if test="v:department">
          <h2><xsl:call-template name="m"><xsl:with-param name="key">bo.inbound.forward</xsl:with-param></xsl:call-template></h2>
          <form method="post" action="{@action}" class="inbound-forward">
            <input type="hidden" name="_token" value="{/v:page/v:backoffice/@token}"/>
            <input type="hidden" name="do" value="forward"/>
            <div class="field">
              <label for="forward-department"><xsl:call-template name="m"><xsl:with-param name="key">bo.inbound.forward.department</xsl:with-param></xsl:call-template></label>
              <select id="forward-department" name="department">
                <xsl:for-each select="v:department"><option value="{@code}"><xsl:value-of select="."/></option></xsl:for-each>
              </select>
            </div>
            <p><button type="submit" class="button secondary"><xsl:call-template name="m"><xsl:with-param name="key">bo.inbound.forward.submit</xsl:with-param></xsl:call-template></button></p>
          </form>
        </xsl:if>
        <h2><xsl:call-template name="m"><xsl:with-param name="key">bo.inbound.file</xsl:with-param></xsl:call-template></h2>
        <form method="post" action="{@action}" class="inbound-file">
          <input type="hidden" name="_token" value="{/v:page/v:backoffice/@token}"/>
          <input type="hidden" name="do" value="file"/>
          <p><button type="submit" class="button secondary"><xsl:call-template name="m"><xsl:with-param name="key">bo.inbound.file.submit</xsl:with-param></xsl:call-template></button></p>
        </form>
      </xsl:for-each>
    </xsl:for-each>
  </xsl:template>

</xsl:stylesheet>
