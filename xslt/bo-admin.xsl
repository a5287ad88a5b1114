<?xml version="1.0" encoding="UTF-8"?>
<!-- Administration: the agents and their roles (each a link to change it), failed messages, and the form to add an agent (bo-agent-form.xsl). -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">
  <xsl:include href="bo-layout.xsl"/>
  <xsl:include href="bo-agent-form.xsl"/>

  <xsl:template name="content">
    <xsl:apply-templates select="v:admin"/>
  </xsl:template>

  <xsl:template match="v:admin">
    <xsl:apply-templates select="v:notice"/>
    <xsl:for-each select="v:unsent">
      <div class="notice warning" role="status"><p><xsl:value-of select="."/></p></div>
    </xsl:for-each>
    <nav class="on-this-page">
      <xsl:attribute name="aria-label"><xsl:value-of select="key('message', 'bo.admin.on-this-page')"/></xsl:attribute>
      <ul>
        <li><a href="#agents"><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.agents</xsl:with-param></xsl:call-template></a></li>
        <li><a href="#new-agent"><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.new</xsl:with-param></xsl:call-template></a></li>
        <xsl:if test="v:heads"><li><a href="#heads"><xsl:call-template name="m"><xsl:with-param name="key">bo.heads.title</xsl:with-param></xsl:call-template></a></li></xsl:if>
        <xsl:if test="v:answers"><li><a href="#answers"><xsl:call-template name="m"><xsl:with-param name="key">bo.answers.title</xsl:with-param></xsl:call-template></a></li></xsl:if>
        <li><a href="#catalogue"><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.catalogue</xsl:with-param></xsl:call-template></a></li>
        <li><a href="#exchange"><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.exchange</xsl:with-param></xsl:call-template></a></li>
        <li><a href="#settings"><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.settings</xsl:with-param></xsl:call-template></a></li>
        <li><a href="#templates"><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.templates</xsl:with-param></xsl:call-template></a></li>
        <li><a href="#people"><xsl:call-template name="m"><xsl:with-param name="key">bo.people.title</xsl:with-param></xsl:call-template></a></li>
        <li><a href="#test-message"><xsl:call-template name="m"><xsl:with-param name="key">bo.test.title</xsl:with-param></xsl:call-template></a></li>
        <xsl:if test="v:failures"><li><a href="#failures"><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.failures</xsl:with-param></xsl:call-template></a></li></xsl:if>
      </ul>
    </nav>
    <h2 id="agents"><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.agents</xsl:with-param></xsl:call-template></h2>
    <div class="table-scroll" tabindex="0" role="region">
      <xsl:attribute name="aria-label"><xsl:value-of select="key('message', 'bo.admin.agents')"/></xsl:attribute>
      <table class="agents">
        <caption class="visually-hidden"><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.agents</xsl:with-param></xsl:call-template></caption>
        <thead>
          <tr>
            <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.login</xsl:with-param></xsl:call-template></th>
            <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.name</xsl:with-param></xsl:call-template></th>
            <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.rights</xsl:with-param></xsl:call-template></th>
          </tr>
        </thead>
        <tbody>
          <xsl:for-each select="v:agents/v:agent">
            <tr>
              <th scope="row"><a href="{@href}"><xsl:value-of select="@login"/><span class="visually-hidden"><xsl:text> — </xsl:text><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.change</xsl:with-param></xsl:call-template></span></a></th>
              <td><xsl:value-of select="v:name"/><xsl:if test="v:email"><br/><xsl:value-of select="v:email"/></xsl:if></td>
              <td>
                <xsl:if test="@active = 'false'"><p class="tag inactive"><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.inactive</xsl:with-param></xsl:call-template></p></xsl:if>
                <xsl:if test="@admin = 'true'"><p class="tag admin"><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.administrator</xsl:with-param></xsl:call-template></p></xsl:if>
                <xsl:if test="v:role">
                  <ul class="roles"><xsl:for-each select="v:role"><li><xsl:value-of select="."/></li></xsl:for-each></ul>
                </xsl:if>
              </td>
            </tr>
          </xsl:for-each>
        </tbody>
      </table>
    </div>

    <xsl:for-each select="v:heads">
      <h2 id="heads"><xsl:call-template name="m"><xsl:with-param name="key">bo.heads.title</xsl:with-param></xsl:call-template></h2>
      <p><xsl:call-template name="m"><xsl:with-param name="key">bo.heads.help</xsl:with-param></xsl:call-template></p>
      <form method="post" action="{@action}" class="heads">
        <input type="hidden" name="_token" value="{../@token}"/>
        <xsl:variable name="agents" select="../v:agents/v:agent[@active = 'true']"/>
        <xsl:for-each select="v:department">
          <xsl:variable name="head" select="@head"/>
          <div class="field">
            <label for="head-{@code}"><xsl:value-of select="."/></label>
            <select id="head-{@code}" name="head-{@code}">
              <option value=""><xsl:call-template name="m"><xsl:with-param name="key">bo.heads.none</xsl:with-param></xsl:call-template></option>
              <xsl:for-each select="$agents">
                <option value="{@login}">
                  <xsl:if test="@login = $head"><xsl:attribute name="selected">selected</xsl:attribute></xsl:if>
                  <xsl:value-of select="v:name"/> (<xsl:value-of select="@login"/>)
                </option>
              </xsl:for-each>
            </select>
          </div>
        </xsl:for-each>
        <p><button type="submit" class="button"><xsl:call-template name="m"><xsl:with-param name="key">bo.heads.save</xsl:with-param></xsl:call-template></button></p>
      </form>
    </xsl:for-each>

    <xsl:for-each select="v:answers">
      <h2 id="answers"><xsl:call-template name="m"><xsl:with-param name="key">bo.answers.title</xsl:with-param></xsl:call-template></h2>
      <p><xsl:call-template name="m"><xsl:with-param name="key">bo.answers.help</xsl:with-param></xsl:call-template></p>
      <xsl:if test="v:answer">
        <div class="table-scroll" tabindex="0" role="region">
          <xsl:attribute name="aria-label"><xsl:value-of select="key('message', 'bo.answers.title')"/></xsl:attribute>
          <table class="agents answers">
            <caption class="visually-hidden"><xsl:call-template name="m"><xsl:with-param name="key">bo.answers.title</xsl:with-param></xsl:call-template></caption>
            <thead>
              <tr>
                <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.answer.title-field</xsl:with-param></xsl:call-template></th>
                <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.answer.department</xsl:with-param></xsl:call-template></th>
                <th scope="col"><xsl:call-template name="m"><xsl:with-param name="key">bo.answer.text</xsl:with-param></xsl:call-template></th>
              </tr>
            </thead>
            <tbody>
              <xsl:for-each select="v:answer">
                <tr>
                  <th scope="row"><a href="{@href}"><xsl:value-of select="v:title"/></a></th>
                  <td><xsl:value-of select="v:department-name"/></td>
                  <td class="answer-text">
                    <xsl:choose>
                      <xsl:when test="string-length(v:text) &gt; 140"><xsl:value-of select="substring(v:text, 1, 140)"/>…</xsl:when>
                      <xsl:otherwise><xsl:value-of select="v:text"/></xsl:otherwise>
                    </xsl:choose>
                  </td>
                </tr>
              </xsl:for-each>
            </tbody>
          </table>
        </div>
      </xsl:if>
      <p><a class="button secondary" href="{@new}"><xsl:call-template name="m"><xsl:with-param name="key">bo.answers.add</xsl:with-param></xsl:call-template></a></p>
    </xsl:for-each>

    <h2 id="catalogue"><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.catalogue</xsl:with-param></xsl:call-template></h2>
    <p><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.catalogue-help</xsl:with-param></xsl:call-template></p>
    <p><a class="button secondary" href="{@catalogue}"><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.catalogue-link</xsl:with-param></xsl:call-template></a></p>
    <h2 id="exchange"><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.exchange</xsl:with-param></xsl:call-template></h2>
    <p><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.exchange-help</xsl:with-param></xsl:call-template></p>
    <p><a class="button secondary" href="{@exchange}"><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.exchange-link</xsl:with-param></xsl:call-template></a></p>
    <h2 id="settings"><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.settings</xsl:with-param></xsl:call-template></h2>
    <p><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.settings-help</xsl:with-param></xsl:call-template></p>
    <p><a class="button secondary" href="{@settings}"><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.settings-link</xsl:with-param></xsl:call-template></a></p>

    <h2 id="templates"><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.templates</xsl:with-param></xsl:call-template></h2>
    <p><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.templates-help</xsl:with-param></xsl:call-template></p>
    <p><a class="button secondary" href="{@templates}"><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.templates-link</xsl:with-param></xsl:call-template></a></p>

    <h2 id="people"><xsl:call-template name="m"><xsl:with-param name="key">bo.people.title</xsl:with-param></xsl:call-template></h2>
    <p><xsl:call-template name="m"><xsl:with-param name="key">bo.people.admin-help</xsl:with-param></xsl:call-template></p>
    <p><a class="button secondary" href="{@people}"><xsl:call-template name="m"><xsl:with-param name="key">bo.people.link</xsl:with-param></xsl:call-template></a></p>

    <h2 id="test-message"><xsl:call-template name="m"><xsl:with-param name="key">bo.test.title</xsl:with-param></xsl:call-template></h2>
    <p><xsl:call-template name="m"><xsl:with-param name="key">bo.test.help</xsl:with-param></xsl:call-template></p>
    <div class="test-forms">
      <form method="post" action="{@test}" class="agent-form test-message">
        <input type="hidden" name="_token" value="{@token}"/>
        <input type="hidden" name="channel" value="email"/>
        <div class="field">
          <label for="test-email"><xsl:call-template name="m"><xsl:with-param name="key">bo.test.email</xsl:with-param></xsl:call-template></label>
          <input type="email" id="test-email" name="address" value="{@test-email}" autocomplete="email"/>
        </div>
        <p><button type="submit" class="button secondary"><xsl:call-template name="m"><xsl:with-param name="key">bo.test.send-email</xsl:with-param></xsl:call-template></button></p>
      </form>
      <form method="post" action="{@test}" class="agent-form test-message">
        <input type="hidden" name="_token" value="{@token}"/>
        <input type="hidden" name="channel" value="sms"/>
        <div class="field">
          <label for="test-sms"><xsl:call-template name="m"><xsl:with-param name="key">bo.test.sms</xsl:with-param></xsl:call-template></label>
          <input type="tel" id="test-sms" name="address" autocomplete="tel"/>
        </div>
        <p><button type="submit" class="button secondary"><xsl:call-template name="m"><xsl:with-param name="key">bo.test.send-sms</xsl:with-param></xsl:call-template></button></p>
      </form>
    </div>

    <xsl:for-each select="v:failures">
      <h2 id="failures"><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.failures</xsl:with-param></xsl:call-template></h2>
      <p><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.failures-help</xsl:with-param></xsl:call-template></p>
      <xsl:call-template name="deliveries">
        <xsl:with-param name="title" select="key('message', 'bo.admin.failures')"/>
        <xsl:with-param name="id">failures-caption</xsl:with-param>
      </xsl:call-template>
      <form method="post" action="{../@retry}" class="retry">
        <input type="hidden" name="_token" value="{../@token}"/>
        <p><button type="submit" class="button secondary"><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.retry</xsl:with-param></xsl:call-template></button></p>
      </form>
    </xsl:for-each>
    <h2 id="new-agent"><xsl:call-template name="m"><xsl:with-param name="key">bo.admin.new</xsl:with-param></xsl:call-template></h2>
    <xsl:call-template name="agent-form"/>
  </xsl:template>
</xsl:stylesheet>
