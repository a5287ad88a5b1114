<?xml version="1.0" encoding="UTF-8"?>
<!-- A request as agents see it: summary, values, history, and the actions
     this agent may take, each its own form. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">
  <xsl:include href="bo-layout.xsl"/>
  <xsl:include href="documents.xsl"/>

  <xsl:template name="content">
    <xsl:apply-templates select="v:request"/>
  </xsl:template>

  <xsl:template match="v:request">
    <xsl:apply-templates select="v:notice"/>
    <xsl:if test="@test = 'true'">
      <p class="tag test"><xsl:call-template name="m"><xsl:with-param name="key">bo.tag.test</xsl:with-param></xsl:call-template></p>
    </xsl:if>
    <dl class="summary">
      <dt><xsl:call-template name="m"><xsl:with-param name="key">bo.column.service</xsl:with-param></xsl:call-template></dt>
      <dd><xsl:value-of select="v:service"/></dd>
      <dt><xsl:call-template name="m"><xsl:with-param name="key">bo.column.step</xsl:with-param></xsl:call-template></dt>
      <dd><span class="step-label current-step"><xsl:if test="v:step/@colour"><xsl:attribute name="class">step-label current-step step-colour-<xsl:value-of select="substring(v:step/@colour, 2)"/></xsl:attribute></xsl:if><xsl:value-of select="v:step"/></span>
        <xsl:if test="v:waiting"><xsl:text> </xsl:text><span class="tag waiting"><xsl:call-template name="m"><xsl:with-param name="key">bo.tag.waiting</xsl:with-param></xsl:call-template></span></xsl:if>
      </dd>
      <dt><xsl:call-template name="m"><xsl:with-param name="key">bo.column.department</xsl:with-param></xsl:call-template></dt>
      <dd><xsl:value-of select="v:department"/></dd>
      <dt><xsl:call-template name="m"><xsl:with-param name="key">bo.column.channel</xsl:with-param></xsl:call-template></dt>
      <dd><xsl:value-of select="v:channel"/></dd>
      <xsl:for-each select="v:district">
        <dt><xsl:call-template name="m"><xsl:with-param name="key">bo.filter.district</xsl:with-param></xsl:call-template></dt>
        <dd><xsl:value-of select="."/></dd>
      </xsl:for-each>
      <xsl:for-each select="v:origin-message">
        <dt><xsl:call-template name="m"><xsl:with-param name="key">bo.request.origin</xsl:with-param></xsl:call-template></dt>
        <dd><a href="{@href}"><xsl:call-template name="m"><xsl:with-param name="key">bo.request.origin.link</xsl:with-param></xsl:call-template></a></dd>
      </xsl:for-each>
      <xsl:for-each select="v:requester-file">
        <dt><xsl:call-template name="m"><xsl:with-param name="key">bo.request.requester-file</xsl:with-param></xsl:call-template></dt>
        <dd><a href="{@href}"><xsl:call-template name="m"><xsl:with-param name="key">bo.request.requester-file.link</xsl:with-param></xsl:call-template></a></dd>
      </xsl:for-each>
      <dt><xsl:call-template name="m"><xsl:with-param name="key">bo.column.received</xsl:with-param></xsl:call-template></dt>
      <dd><time datetime="{v:received/@date}"><xsl:value-of select="v:received"/></time></dd>
      <dt><xsl:call-template name="m"><xsl:with-param name="key">bo.column.due</xsl:with-param></xsl:call-template></dt>
      <dd><time datetime="{v:due/@date}"><xsl:value-of select="v:due"/></time>
        <xsl:if test="@late = 'true'"><xsl:text> </xsl:text><span class="tag late"><xsl:call-template name="m"><xsl:with-param name="key">bo.tag.late</xsl:with-param></xsl:call-template></span></xsl:if>
      </dd>
    </dl>

    <xsl:for-each select="v:anonymised">
      <p class="notice info anonymised"><xsl:value-of select="."/></p>
    </xsl:for-each>

    <xsl:for-each select="v:validation">
      <section class="validation" aria-labelledby="validation-title">
        <h2 id="validation-title"><xsl:call-template name="m"><xsl:with-param name="key">bo.validation.title</xsl:with-param></xsl:call-template></h2>
        <p><xsl:call-template name="m"><xsl:with-param name="key">bo.validation.from</xsl:with-param></xsl:call-template><xsl:text> </xsl:text><strong><xsl:value-of select="v:from"/></strong>
          <xsl:text> → </xsl:text><xsl:call-template name="m"><xsl:with-param name="key">bo.validation.to</xsl:with-param></xsl:call-template><xsl:text> </xsl:text><strong><xsl:value-of select="v:to"/></strong></p>
        <blockquote><p><xsl:value-of select="v:answer"/></p></blockquote>
      </section>
    </xsl:for-each>

    <div class="columns">
      <div class="data">
        <h2><xsl:call-template name="m"><xsl:with-param name="key">bo.request.fields</xsl:with-param></xsl:call-template></h2>
        <dl class="values"><xsl:apply-templates select="v:fields/v:item"/></dl>
        <h2><xsl:call-template name="m"><xsl:with-param name="key">bo.request.requester</xsl:with-param></xsl:call-template></h2>
        <dl class="values"><xsl:apply-templates select="v:requester/v:item"/></dl>
        <xsl:for-each select="v:files">
          <h2><xsl:call-template name="m"><xsl:with-param name="key">bo.files.title</xsl:with-param></xsl:call-template></h2>
          <ul class="files">
            <xsl:for-each select="v:file">
              <li><a href="{@href}" download=""><xsl:value-of select="v:name"/></a>
                <xsl:text> (</xsl:text><xsl:value-of select="@size"/><xsl:text>) — </xsl:text><xsl:value-of select="v:origin"/></li>
            </xsl:for-each>
          </ul>
        </xsl:for-each>
        <xsl:apply-templates select="v:documents"/>
        <h2><xsl:call-template name="m"><xsl:with-param name="key">bo.request.history</xsl:with-param></xsl:call-template></h2>
        <ol class="history">
          <xsl:for-each select="v:history/v:event">
            <li class="event event-{@kind}">
              <p class="event-head">
                <time datetime="{@at}"><xsl:value-of select="v:when"/></time>
                <xsl:text> — </xsl:text><strong><xsl:value-of select="v:what"/></strong>
                <xsl:text> — </xsl:text><xsl:value-of select="v:who"/>
              </p>
              <xsl:for-each select="v:move">
                <p class="move"><xsl:value-of select="v:from"/><xsl:text> → </xsl:text><xsl:value-of select="v:to"/></p>
              </xsl:for-each>
              <xsl:if test="v:comment"><p class="comment"><xsl:value-of select="v:comment"/></p></xsl:if>
              <xsl:choose>
                <xsl:when test="@visible = 'true'"><p class="tag visible"><xsl:call-template name="m"><xsl:with-param name="key">bo.history.visible</xsl:with-param></xsl:call-template></p></xsl:when>
                <xsl:otherwise><p class="tag internal"><xsl:call-template name="m"><xsl:with-param name="key">bo.history.internal</xsl:with-param></xsl:call-template></p></xsl:otherwise>
              </xsl:choose>
            </li>
          </xsl:for-each>
        </ol>
      </div>
      <div class="work">
        <xsl:apply-templates select="v:commands"/>
        <xsl:for-each select="v:deliveries">
          <h2 id="deliveries-title"><xsl:call-template name="m"><xsl:with-param name="key">bo.deliveries.title</xsl:with-param></xsl:call-template></h2>
          <xsl:call-template name="deliveries">
            <xsl:with-param name="title" select="key('message', 'bo.deliveries.caption')"/>
            <xsl:with-param name="id">deliveries-caption</xsl:with-param>
          </xsl:call-template>
        </xsl:for-each>
      </div>
    </div>

  </xsl:template>

  <xsl:template match="v:item">
    <dt><xsl:value-of select="@label"/></dt>
    <dd><xsl:value-of select="."/></dd>
  </xsl:template>

  <!-- The hidden fields every command form carries. -->
  <xsl:template name="hidden">
    <xsl:param name="command"/>
    <input type="hidden" name="_token" value="{../@token}"/>
    <input type="hidden" name="revision" value="{../@revision}"/>
    <input type="hidden" name="command" value="{$command}"/>
  </xsl:template>

  <xsl:template name="textarea">
    <xsl:param name="id"/>
    <xsl:param name="name"/>
    <xsl:param name="key"/>
    <xsl:param name="required" select="false()"/>
    <xsl:param name="value"/>
    <div class="field">
      <label for="{$id}"><xsl:call-template name="m"><xsl:with-param name="key" select="$key"/></xsl:call-template>
        <xsl:if test="$required"><xsl:text> </xsl:text><span class="required">(<xsl:call-template name="m"><xsl:with-param name="key">form.required</xsl:with-param></xsl:call-template>)</span></xsl:if>
      </label>
      <textarea id="{$id}" name="{$name}" rows="3">
        <xsl:if test="$required"><xsl:attribute name="required">required</xsl:attribute></xsl:if>
        <xsl:value-of select="$value"/>
      </textarea>
    </div>
  </xsl:template>

  <!-- Whether the document goes to the requester by e-mail, or why it
       cannot (no address: print it for the post). -->
  <xsl:template name="send-document">
    <xsl:param name="id"/>
    <xsl:for-each select="v:send">
      <div class="choice">
        <input type="checkbox" id="{$id}" name="send" value="yes"/>
        <label for="{$id}"><xsl:value-of select="."/></label>
      </div>
    </xsl:for-each>
    <xsl:for-each select="v:no-email"><p class="help"><xsl:value-of select="."/></p></xsl:for-each>
  </xsl:template>

  <xsl:template name="departments">
    <xsl:param name="id"/>
    <div class="field">
      <label for="{$id}"><xsl:call-template name="m"><xsl:with-param name="key">bo.command.department</xsl:with-param></xsl:call-template></label>
      <select id="{$id}" name="to">
        <xsl:for-each select="v:department">
          <option value="{@code}"><xsl:value-of select="."/></option>
        </xsl:for-each>
      </select>
    </div>
  </xsl:template>

  <xsl:template match="v:commands">
    <h2><xsl:call-template name="m"><xsl:with-param name="key">bo.request.actions</xsl:with-param></xsl:call-template></h2>

    <xsl:if test="v:act">
      <form method="post" action="{@action}" class="command command-act">
        <fieldset>
          <legend><xsl:call-template name="m"><xsl:with-param name="key">bo.command.act</xsl:with-param></xsl:call-template></legend>
          <input type="hidden" name="_token" value="{@token}"/>
          <input type="hidden" name="revision" value="{@revision}"/>
          <input type="hidden" name="command" value="act"/>
          <div class="field">
            <label for="act-comment"><xsl:call-template name="m"><xsl:with-param name="key">bo.command.comment</xsl:with-param></xsl:call-template></label>
            <xsl:if test="v:act[@comment = 'required']">
              <p class="help" id="act-comment-help"><xsl:call-template name="m"><xsl:with-param name="key">bo.command.comment-help</xsl:with-param></xsl:call-template></p>
            </xsl:if>
            <textarea id="act-comment" name="comment" rows="2">
              <xsl:if test="v:act[@comment = 'required']"><xsl:attribute name="aria-describedby">act-comment-help</xsl:attribute></xsl:if>
            </textarea>
          </div>
          <div class="actions">
            <xsl:for-each select="v:act">
              <button type="submit" name="action" value="{@id}">
                <xsl:attribute name="class">button<xsl:if test="position() &gt; 1"> secondary</xsl:if></xsl:attribute>
                <xsl:value-of select="."/>
                <xsl:if test="@comment = 'required'"><span class="visually-hidden"> (<xsl:call-template name="m"><xsl:with-param name="key">bo.command.comment-needed</xsl:with-param></xsl:call-template>)</span></xsl:if>
              </button>
            </xsl:for-each>
          </div>
        </fieldset>
      </form>
    </xsl:if>

    <xsl:for-each select="v:decide">
      <form method="post" action="{../@action}" class="command">
        <fieldset>
          <legend><xsl:call-template name="m"><xsl:with-param name="key">bo.command.decide</xsl:with-param></xsl:call-template></legend>
          <xsl:call-template name="hidden"><xsl:with-param name="command">decide</xsl:with-param></xsl:call-template>
          <xsl:call-template name="textarea">
            <xsl:with-param name="id">decide-comment</xsl:with-param>
            <xsl:with-param name="name">comment</xsl:with-param>
            <xsl:with-param name="key">bo.command.comment</xsl:with-param>
          </xsl:call-template>
          <div class="actions">
            <button type="submit" name="approve" value="yes" class="button"><xsl:call-template name="m"><xsl:with-param name="key">bo.command.approve</xsl:with-param></xsl:call-template></button>
            <button type="submit" name="approve" value="no" class="button secondary"><xsl:call-template name="m"><xsl:with-param name="key">bo.command.send-back</xsl:with-param></xsl:call-template></button>
          </div>
        </fieldset>
      </form>
    </xsl:for-each>

    <xsl:for-each select="v:answer">
      <form method="post" action="{../@action}" class="command">
        <fieldset>
          <legend><xsl:call-template name="m"><xsl:with-param name="key">bo.command.answer</xsl:with-param></xsl:call-template></legend>
          <xsl:call-template name="hidden"><xsl:with-param name="command">answer</xsl:with-param></xsl:call-template>
          <xsl:if test="v:standard">
            <div class="field">
              <label for="answer-standard"><xsl:call-template name="m"><xsl:with-param name="key">bo.command.standard</xsl:with-param></xsl:call-template></label>
              <p class="help" id="answer-standard-help"><xsl:call-template name="m"><xsl:with-param name="key">bo.command.standard-help</xsl:with-param></xsl:call-template></p>
              <select id="answer-standard" name="standard" aria-describedby="answer-standard-help">
                <option value=""><xsl:call-template name="m"><xsl:with-param name="key">form.choose</xsl:with-param></xsl:call-template></option>
                <xsl:for-each select="v:standard">
                  <option value="{@id}"><xsl:value-of select="@title"/></option>
                </xsl:for-each>
              </select>
            </div>
          </xsl:if>
          <xsl:call-template name="textarea">
            <xsl:with-param name="id">answer-text</xsl:with-param>
            <xsl:with-param name="name">text</xsl:with-param>
            <xsl:with-param name="key">bo.command.answer-text</xsl:with-param>
          </xsl:call-template>
          <p><button type="submit" class="button"><xsl:call-template name="m"><xsl:with-param name="key">bo.command.answer-submit</xsl:with-param></xsl:call-template></button></p>
        </fieldset>
      </form>
    </xsl:for-each>

    <xsl:for-each select="v:ask-validation">
      <form method="post" action="{../@action}" class="command">
        <fieldset>
          <legend><xsl:call-template name="m"><xsl:with-param name="key">bo.command.ask-validation</xsl:with-param></xsl:call-template></legend>
          <xsl:call-template name="hidden"><xsl:with-param name="command">ask-validation</xsl:with-param></xsl:call-template>
          <xsl:call-template name="departments"><xsl:with-param name="id">validation-to</xsl:with-param></xsl:call-template>
          <xsl:call-template name="textarea">
            <xsl:with-param name="id">validation-text</xsl:with-param>
            <xsl:with-param name="name">text</xsl:with-param>
            <xsl:with-param name="key">bo.command.answer-text</xsl:with-param>
            <xsl:with-param name="required" select="true()"/>
          </xsl:call-template>
          <p><button type="submit" class="button secondary"><xsl:call-template name="m"><xsl:with-param name="key">bo.command.ask-validation-submit</xsl:with-param></xsl:call-template></button></p>
        </fieldset>
      </form>
    </xsl:for-each>

    <xsl:for-each select="v:transfer">
      <form method="post" action="{../@action}" class="command">
        <fieldset>
          <legend><xsl:call-template name="m"><xsl:with-param name="key">bo.command.transfer</xsl:with-param></xsl:call-template></legend>
          <xsl:call-template name="hidden"><xsl:with-param name="command">transfer</xsl:with-param></xsl:call-template>
          <xsl:call-template name="departments"><xsl:with-param name="id">transfer-to</xsl:with-param></xsl:call-template>
          <xsl:call-template name="textarea">
            <xsl:with-param name="id">transfer-comment</xsl:with-param>
            <xsl:with-param name="name">comment</xsl:with-param>
            <xsl:with-param name="key">bo.command.comment</xsl:with-param>
          </xsl:call-template>
          <p><button type="submit" class="button secondary"><xsl:call-template name="m"><xsl:with-param name="key">bo.command.transfer-submit</xsl:with-param></xsl:call-template></button></p>
        </fieldset>
      </form>
    </xsl:for-each>

    <xsl:for-each select="v:correction">
      <form method="post" action="{../@action}" class="command">
        <fieldset>
          <legend><xsl:call-template name="m"><xsl:with-param name="key">bo.command.correction</xsl:with-param></xsl:call-template></legend>
          <xsl:call-template name="hidden"><xsl:with-param name="command">ask-correction</xsl:with-param></xsl:call-template>
          <fieldset class="choices">
            <legend><xsl:call-template name="m"><xsl:with-param name="key">bo.command.correction-fields</xsl:with-param></xsl:call-template></legend>
            <xsl:for-each select="v:field">
              <div class="choice">
                <input type="checkbox" name="field" value="{@name}" id="correction-{@name}"/>
                <label for="correction-{@name}"><xsl:value-of select="."/></label>
              </div>
            </xsl:for-each>
          </fieldset>
          <xsl:call-template name="textarea">
            <xsl:with-param name="id">correction-comment</xsl:with-param>
            <xsl:with-param name="name">comment</xsl:with-param>
            <xsl:with-param name="key">bo.command.correction-text</xsl:with-param>
            <xsl:with-param name="required" select="true()"/>
          </xsl:call-template>
          <p><button type="submit" class="button secondary"><xsl:call-template name="m"><xsl:with-param name="key">bo.command.correction-submit</xsl:with-param></xsl:call-template></button></p>
        </fieldset>
      </form>
    </xsl:for-each>

    <xsl:for-each select="v:hold">
      <form method="post" action="{../@action}" class="command">
        <fieldset>
          <legend><xsl:call-template name="m"><xsl:with-param name="key">bo.command.hold</xsl:with-param></xsl:call-template></legend>
          <xsl:call-template name="hidden"><xsl:with-param name="command">hold</xsl:with-param></xsl:call-template>
          <xsl:call-template name="textarea">
            <xsl:with-param name="id">hold-comment</xsl:with-param>
            <xsl:with-param name="name">comment</xsl:with-param>
            <xsl:with-param name="key">bo.command.hold-text</xsl:with-param>
            <xsl:with-param name="required" select="true()"/>
          </xsl:call-template>
          <p><button type="submit" class="button secondary"><xsl:call-template name="m"><xsl:with-param name="key">bo.command.hold-submit</xsl:with-param></xsl:call-template></button></p>
        </fieldset>
      </form>
    </xsl:for-each>

    <xsl:for-each select="v:resume">
      <form method="post" action="{../@action}" class="command">
        <fieldset>
          <legend><xsl:call-template name="m"><xsl:with-param name="key">bo.command.resume</xsl:with-param></xsl:call-template></legend>
          <xsl:call-template name="hidden"><xsl:with-param name="command">resume</xsl:with-param></xsl:call-template>
          <xsl:call-template name="textarea">
            <xsl:with-param name="id">resume-comment</xsl:with-param>
            <xsl:with-param name="name">comment</xsl:with-param>
            <xsl:with-param name="key">bo.command.comment</xsl:with-param>
          </xsl:call-template>
          <p><button type="submit" class="button secondary"><xsl:call-template name="m"><xsl:with-param name="key">bo.command.resume-submit</xsl:with-param></xsl:call-template></button></p>
        </fieldset>
      </form>
    </xsl:for-each>

    <xsl:for-each select="v:letter">
      <form method="post" action="{../@action}" class="command">
        <fieldset>
          <legend><xsl:value-of select="v:legend"/></legend>
          <xsl:call-template name="hidden"><xsl:with-param name="command">letter</xsl:with-param></xsl:call-template>
          <xsl:call-template name="textarea">
            <xsl:with-param name="id">letter-text</xsl:with-param>
            <xsl:with-param name="name">comment</xsl:with-param>
            <xsl:with-param name="key">bo.command.letter-text</xsl:with-param>
          </xsl:call-template>
          <xsl:call-template name="send-document"><xsl:with-param name="id">letter-send</xsl:with-param></xsl:call-template>
          <p><button type="submit" class="button secondary"><xsl:call-template name="m"><xsl:with-param name="key">bo.command.letter-submit</xsl:with-param></xsl:call-template></button></p>
        </fieldset>
      </form>
    </xsl:for-each>

    <xsl:for-each select="v:add-file">
      <form method="post" action="{../@action}" class="command" enctype="multipart/form-data">
        <fieldset>
          <legend><xsl:call-template name="m"><xsl:with-param name="key">bo.command.add-file</xsl:with-param></xsl:call-template></legend>
          <xsl:call-template name="hidden"><xsl:with-param name="command">add-file</xsl:with-param></xsl:call-template>
          <div class="field">
            <label for="add-file-file"><xsl:call-template name="m"><xsl:with-param name="key">bo.command.add-file-label</xsl:with-param></xsl:call-template>
              <xsl:text> </xsl:text><span class="required">(<xsl:call-template name="m"><xsl:with-param name="key">form.required</xsl:with-param></xsl:call-template>)</span></label>
            <p class="help" id="add-file-help"><xsl:value-of select="@help"/></p>
            <input type="file" id="add-file-file" name="file" accept="{@accept}" required="required" aria-describedby="add-file-help"/>
          </div>
          <xsl:call-template name="textarea">
            <xsl:with-param name="id">add-file-comment</xsl:with-param>
            <xsl:with-param name="name">comment</xsl:with-param>
            <xsl:with-param name="key">bo.command.comment</xsl:with-param>
          </xsl:call-template>
          <xsl:call-template name="send-document"><xsl:with-param name="id">add-file-send</xsl:with-param></xsl:call-template>
          <p><button type="submit" class="button secondary"><xsl:call-template name="m"><xsl:with-param name="key">bo.command.add-file-submit</xsl:with-param></xsl:call-template></button></p>
        </fieldset>
      </form>
    </xsl:for-each>

    <xsl:for-each select="v:reopen">
      <form method="post" action="{../@action}" class="command">
        <fieldset>
          <legend><xsl:call-template name="m"><xsl:with-param name="key">bo.command.reopen</xsl:with-param></xsl:call-template></legend>
          <xsl:call-template name="hidden"><xsl:with-param name="command">reopen</xsl:with-param></xsl:call-template>
          <xsl:call-template name="textarea">
            <xsl:with-param name="id">reopen-comment</xsl:with-param>
            <xsl:with-param name="name">comment</xsl:with-param>
            <xsl:with-param name="key">bo.command.reopen-text</xsl:with-param>
            <xsl:with-param name="required" select="true()"/>
          </xsl:call-template>
          <p><button type="submit" class="button secondary"><xsl:call-template name="m"><xsl:with-param name="key">bo.command.reopen-submit</xsl:with-param></xsl:call-template></button></p>
        </fieldset>
      </form>
    </xsl:for-each>

    <xsl:for-each select="v:note">
      <form method="post" action="{../@action}" class="command">
        <fieldset>
          <legend><xsl:call-template name="m"><xsl:with-param name="key">bo.command.note</xsl:with-param></xsl:call-template></legend>
          <xsl:call-template name="hidden"><xsl:with-param name="command">note</xsl:with-param></xsl:call-template>
          <xsl:call-template name="textarea">
            <xsl:with-param name="id">note-text</xsl:with-param>
            <xsl:with-param name="name">text</xsl:with-param>
            <xsl:with-param name="key">bo.command.note-text</xsl:with-param>
            <xsl:with-param name="required" select="true()"/>
          </xsl:call-template>
          <p><button type="submit" class="button secondary"><xsl:call-template name="m"><xsl:with-param name="key">bo.command.note-submit</xsl:with-param></xsl:call-template></button></p>
        </fieldset>
      </form>
    </xsl:for-each>
  </xsl:template>
</xsl:stylesheet>
