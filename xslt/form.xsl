<?xml version="1.0" encoding="UTF-8"?>
<!--
  A service's form, generated from its definition: labels, help, required
  marks stated in text, the right input types, choice lists, address blocks.
  After a refused attempt: an error summary linking to each field, every
  value kept, each message next to its field and tied with aria-describedby.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:v="urn:guichet:view:1"
    exclude-result-prefixes="v">
  <xsl:include href="layout.xsl"/>

  <xsl:variable name="required-text">
    <xsl:call-template name="m"><xsl:with-param name="key">form.required</xsl:with-param></xsl:call-template>
  </xsl:variable>

  <xsl:template name="content">
    <xsl:apply-templates select="v:form"/>
  </xsl:template>

  <xsl:template match="v:form">
    <xsl:if test="v:description"><p class="intro"><xsl:copy-of select="v:description/@lang"/><xsl:value-of select="v:description"/></p></xsl:if>
    <p class="deadline"><xsl:value-of select="v:deadline"/></p>
    <xsl:if test="v:notice">
      <div class="notice warning" role="alert"><p><xsl:value-of select="v:notice"/></p></div>
    </xsl:if>
    <xsl:if test="v:results">
      <div class="results" role="status" id="results">
        <h2><xsl:call-template name="m"><xsl:with-param name="key">form.results</xsl:with-param></xsl:call-template></h2>
        <dl>
          <xsl:for-each select="v:results/v:result">
            <dt><xsl:value-of select="@label"/></dt>
            <dd><xsl:value-of select="."/></dd>
          </xsl:for-each>
        </dl>
        <xsl:if test="v:results/@continue">
          <p><a class="button" href="{v:results/@continue}"><xsl:value-of select="v:results/@continue-text"/></a></p>
        </xsl:if>
      </div>
    </xsl:if>
    <xsl:if test="v:errors">
      <div class="error-summary" id="error-summary" role="alert" tabindex="-1" aria-labelledby="error-summary-title">
        <h2 id="error-summary-title"><xsl:call-template name="m"><xsl:with-param name="key">form.errors.title</xsl:with-param></xsl:call-template></h2>
        <p><xsl:call-template name="m"><xsl:with-param name="key">form.errors.intro</xsl:with-param></xsl:call-template></p>
        <ul>
          <xsl:for-each select="v:errors/v:error">
            <li><a href="#{@for}"><xsl:copy-of select="@lang"/><xsl:value-of select="."/></a></li>
          </xsl:for-each>
        </ul>
      </div>
    </xsl:if>
    <p class="required-note"><xsl:call-template name="m"><xsl:with-param name="key">form.required-note</xsl:with-param></xsl:call-template></p>
    <xsl:if test="v:stages">
      <nav class="stages">
        <xsl:attribute name="aria-label"><xsl:call-template name="m"><xsl:with-param name="key">form.stages</xsl:with-param></xsl:call-template></xsl:attribute>
        <ol>
          <xsl:for-each select="v:stages/v:stage">
            <li>
              <xsl:if test="@current = 'true'"><xsl:attribute name="aria-current">step</xsl:attribute><xsl:attribute name="class">current</xsl:attribute></xsl:if>
              <xsl:value-of select="."/>
            </li>
          </xsl:for-each>
        </ol>
      </nav>
    </xsl:if>
    <form method="post" action="{@action}" novalidate="novalidate" id="form">
      <xsl:if test="@multipart = 'true'"><xsl:attribute name="enctype">multipart/form-data</xsl:attribute></xsl:if>
      <input type="hidden" name="_token" value="{@token}"/>
      <xsl:if test="@step"><input type="hidden" name="_step" value="{@step}"/></xsl:if>
      <xsl:for-each select="v:carry"><input type="hidden" name="{@name}" value="{@value}"/></xsl:for-each>
      <xsl:if test="@step">
        <!-- Enter goes on (or sends, from the summary). -->
        <button type="submit" hidden="hidden" tabindex="-1" name="_nav">
          <xsl:attribute name="value"><xsl:choose><xsl:when test="v:summary">send</xsl:when><xsl:otherwise>next</xsl:otherwise></xsl:choose></xsl:attribute>
          <xsl:call-template name="m"><xsl:with-param name="key">form.next</xsl:with-param></xsl:call-template>
        </button>
      </xsl:if>
      <xsl:if test="v:summary">
        <div class="summary">
          <h2><xsl:call-template name="m"><xsl:with-param name="key">form.summary</xsl:with-param></xsl:call-template></h2>
          <p><xsl:call-template name="m"><xsl:with-param name="key">form.summary-intro</xsl:with-param></xsl:call-template></p>
          <xsl:for-each select="v:summary/v:section">
            <section>
              <h3><xsl:value-of select="@title"/></h3>
              <dl>
                <xsl:for-each select="v:item"><dt><xsl:value-of select="@label"/></dt><dd><xsl:value-of select="."/></dd></xsl:for-each>
              </dl>
              <p><button type="submit" class="button secondary" name="_nav" value="edit-{@step}"><xsl:call-template name="m"><xsl:with-param name="key">form.edit</xsl:with-param></xsl:call-template><span class="visually-hidden"> : <xsl:value-of select="@title"/></span></button></p>
            </section>
          </xsl:for-each>
        </div>
      </xsl:if>
      <!-- The default button (Enter in a field) sends the form, never a
           repeating group's add or remove button. -->
      <xsl:if test="(.//v:field[@widget = 'rows'] or .//v:slots) and not(@step)">
        <button type="submit" hidden="hidden" tabindex="-1" data-default=""><xsl:call-template name="m"><xsl:with-param name="key">form.submit</xsl:with-param></xsl:call-template></button>
      </xsl:if>
      <xsl:for-each select="v:group">
        <fieldset class="group">
          <xsl:copy-of select="@lang"/>
          <legend><xsl:value-of select="v:legend"/></legend>
          <xsl:apply-templates select="v:field"/>
        </fieldset>
      </xsl:for-each>
      <xsl:choose>
        <xsl:when test="@step">
          <p class="pager">
            <xsl:if test="@step &gt; 0"><button type="submit" class="button secondary" name="_nav" value="back"><xsl:call-template name="m"><xsl:with-param name="key">form.back</xsl:with-param></xsl:call-template></button><xsl:text> </xsl:text></xsl:if>
            <xsl:choose>
              <xsl:when test="v:summary"><button type="submit" class="button" name="_nav" value="send"><xsl:call-template name="m"><xsl:with-param name="key">form.submit</xsl:with-param></xsl:call-template></button></xsl:when>
              <xsl:otherwise><button type="submit" class="button" name="_nav" value="next"><xsl:call-template name="m"><xsl:with-param name="key">form.next</xsl:with-param></xsl:call-template></button></xsl:otherwise>
            </xsl:choose>
          </p>
        </xsl:when>
        <xsl:otherwise>
          <p><button type="submit" class="button"><xsl:call-template name="m"><xsl:with-param name="key"><xsl:choose><xsl:when test="@simulation = 'true'">form.simulate</xsl:when><xsl:otherwise>form.submit</xsl:otherwise></xsl:choose></xsl:with-param></xsl:call-template></button></p>
        </xsl:otherwise>
      </xsl:choose>
    </form>
    <xsl:apply-templates select="v:privacy"/>
  </xsl:template>

  <!-- The privacy notice, after the form. -->
  <xsl:template match="v:privacy">
    <section class="privacy" aria-labelledby="privacy-title">
      <h2 id="privacy-title"><xsl:call-template name="m"><xsl:with-param name="key">form.privacy.title</xsl:with-param></xsl:call-template></h2>
      <dl>
        <xsl:for-each select="v:purpose | v:basis | v:retention | v:recipients">
          <dt><xsl:value-of select="@label"/></dt>
          <dd>
            <span><xsl:copy-of select="@lang"/><xsl:value-of select="."/></span>
            <xsl:if test="self::v:retention"><xsl:text> </xsl:text><xsl:value-of select="../v:erasure"/></xsl:if>
          </dd>
        </xsl:for-each>
      </dl>
      <p><xsl:value-of select="v:rights"/></p>
    </section>
  </xsl:template>

  <!-- The label text, with the required mark stated in words. -->
  <xsl:template name="label-text">
    <xsl:param name="required" select="@required"/>
    <xsl:value-of select="v:label"/>
    <xsl:if test="$required = 'true'">
      <xsl:text> </xsl:text><span class="required">(<xsl:value-of select="$required-text"/>)</span>
    </xsl:if>
  </xsl:template>

  <!-- Help and error messages below a label; ids used by aria-describedby. -->
  <xsl:template name="help-and-errors">
    <xsl:if test="v:help"><p class="help" id="{@id}-help"><xsl:value-of select="v:help"/></p></xsl:if>
    <xsl:if test="v:condition"><p class="condition" id="{@id}-condition"><xsl:value-of select="v:condition"/></p></xsl:if>
    <xsl:if test="v:error">
      <p class="error-message" id="{@id}-error">
        <xsl:copy-of select="v:error[1]/@lang"/>
        <xsl:for-each select="v:error"><xsl:if test="position() &gt; 1"><xsl:text> </xsl:text></xsl:if><xsl:value-of select="."/></xsl:for-each>
      </p>
    </xsl:if>
  </xsl:template>

  <xsl:template name="described-by">
    <xsl:variable name="ids">
      <xsl:if test="v:help"><xsl:value-of select="@id"/>-help </xsl:if>
      <xsl:if test="v:condition"><xsl:value-of select="@id"/>-condition </xsl:if>
      <xsl:if test="v:error"><xsl:value-of select="@id"/>-error</xsl:if>
    </xsl:variable>
    <xsl:if test="normalize-space($ids)">
      <xsl:attribute name="aria-describedby"><xsl:value-of select="normalize-space($ids)"/></xsl:attribute>
    </xsl:if>
    <xsl:if test="v:error"><xsl:attribute name="aria-invalid">true</xsl:attribute></xsl:if>
  </xsl:template>

  <!-- A conditional field: the page's script hides it until the field it
       depends on has one of the values (without script, its condition is
       said in words). -->
  <xsl:template name="conditional">
    <xsl:if test="@when">
      <xsl:attribute name="data-when"><xsl:value-of select="@when"/></xsl:attribute>
      <xsl:attribute name="data-equals"><xsl:value-of select="@equals"/></xsl:attribute>
    </xsl:if>
  </xsl:template>

  <xsl:template name="input-attributes">
    <xsl:if test="@required = 'true'"><xsl:attribute name="required">required</xsl:attribute></xsl:if>
    <xsl:if test="@autocomplete"><xsl:attribute name="autocomplete"><xsl:value-of select="@autocomplete"/></xsl:attribute></xsl:if>
    <xsl:if test="@inputmode"><xsl:attribute name="inputmode"><xsl:value-of select="@inputmode"/></xsl:attribute></xsl:if>
    <xsl:if test="@maxlength"><xsl:attribute name="maxlength"><xsl:value-of select="@maxlength"/></xsl:attribute></xsl:if>
    <xsl:if test="@min"><xsl:attribute name="min"><xsl:value-of select="@min"/></xsl:attribute></xsl:if>
    <xsl:if test="@max"><xsl:attribute name="max"><xsl:value-of select="@max"/></xsl:attribute></xsl:if>
    <xsl:call-template name="described-by"/>
  </xsl:template>

  <xsl:template match="v:field[@widget = 'input']">
    <div class="field">
      <xsl:if test="v:error"><xsl:attribute name="class">field has-error</xsl:attribute></xsl:if>
      <xsl:call-template name="conditional"/>
      <label for="{@id}"><xsl:call-template name="label-text"/></label>
      <xsl:call-template name="help-and-errors"/>
      <input type="{@input-type}" id="{@id}" name="{@name}" value="{v:value}">
        <xsl:call-template name="input-attributes"/>
        <xsl:if test="v:slots"><xsl:attribute name="list"><xsl:value-of select="@id"/>-slots-list</xsl:attribute></xsl:if>
      </input>
      <xsl:apply-templates select="v:slots"/>
    </div>
  </xsl:template>

  <!-- An appointment's free slots on the day entered: the page's script
       asks for them again when the date changes; without it, the button
       posts the form back to show them. -->
  <xsl:template match="v:slots">
    <div class="slots" id="{../@id}-slots" data-slots="{@url}" data-date-field="{@date-field}" data-time-field="{../@name}">
      <xsl:if test="@resource-field"><xsl:attribute name="data-resource-field"><xsl:value-of select="@resource-field"/></xsl:attribute></xsl:if>
      <p class="help" aria-live="polite" data-slots-note=""><xsl:value-of select="v:note"/></p>
      <ul class="slot-list" data-slots-list="">
        <xsl:if test="not(v:slot)"><xsl:attribute name="hidden">hidden</xsl:attribute></xsl:if>
        <xsl:for-each select="v:slot"><li><xsl:value-of select="."/></li></xsl:for-each>
      </ul>
      <datalist id="{../@id}-slots-list">
        <xsl:for-each select="v:slot"><option value="{.}"/></xsl:for-each>
      </datalist>
      <p><button type="submit" class="button secondary" name="{@button}" value="1"><xsl:value-of select="v:see"/></button></p>
    </div>
  </xsl:template>

  <!-- Files: the input names the kinds it takes; the files chosen are not
       kept when the form comes back with an error (said in the help). -->
  <xsl:template match="v:field[@widget = 'file']">
    <div class="field">
      <xsl:if test="v:error"><xsl:attribute name="class">field has-error</xsl:attribute></xsl:if>
      <xsl:call-template name="conditional"/>
      <label for="{@id}"><xsl:call-template name="label-text"/></label>
      <xsl:call-template name="help-and-errors"/>
      <input type="file" id="{@id}" name="{@name}" accept="{@accept}">
        <xsl:if test="@max-rows &gt; 1"><xsl:attribute name="multiple">multiple</xsl:attribute></xsl:if>
        <xsl:call-template name="input-attributes"/>
      </input>
    </div>
  </xsl:template>

  <xsl:template match="v:field[@widget = 'textarea']">
    <div class="field">
      <xsl:if test="v:error"><xsl:attribute name="class">field has-error</xsl:attribute></xsl:if>
      <xsl:call-template name="conditional"/>
      <label for="{@id}"><xsl:call-template name="label-text"/></label>
      <xsl:call-template name="help-and-errors"/>
      <textarea id="{@id}" name="{@name}" rows="5">
        <xsl:call-template name="input-attributes"/>
        <xsl:value-of select="v:value"/>
      </textarea>
    </div>
  </xsl:template>

  <xsl:template match="v:field[@widget = 'select']">
    <div class="field">
      <xsl:if test="v:error"><xsl:attribute name="class">field has-error</xsl:attribute></xsl:if>
      <xsl:call-template name="conditional"/>
      <label for="{@id}"><xsl:call-template name="label-text"/></label>
      <xsl:call-template name="help-and-errors"/>
      <select id="{@id}" name="{@name}">
        <xsl:call-template name="input-attributes"/>
        <option value=""><xsl:call-template name="m"><xsl:with-param name="key">form.choose</xsl:with-param></xsl:call-template></option>
        <xsl:for-each select="v:option">
          <option value="{@value}">
            <xsl:if test="@selected = 'true'"><xsl:attribute name="selected">selected</xsl:attribute></xsl:if>
            <xsl:value-of select="."/>
          </option>
        </xsl:for-each>
      </select>
    </div>
  </xsl:template>

  <!-- Radio buttons and checkbox lists: a fieldset whose legend is the label. -->
  <xsl:template match="v:field[@widget = 'radio' or @widget = 'checkboxes']">
    <xsl:variable name="type">
      <xsl:choose><xsl:when test="@widget = 'radio'">radio</xsl:when><xsl:otherwise>checkbox</xsl:otherwise></xsl:choose>
    </xsl:variable>
    <xsl:variable name="field" select="."/>
    <fieldset class="field choices" id="{@id}">
      <xsl:if test="v:error"><xsl:attribute name="class">field choices has-error</xsl:attribute></xsl:if>
      <xsl:call-template name="conditional"/>
      <legend><xsl:call-template name="label-text"/></legend>
      <xsl:call-template name="help-and-errors"/>
      <xsl:for-each select="v:option">
        <div class="choice">
          <input type="{$type}" id="{@id}" name="{$field/@name}" value="{@value}">
            <xsl:if test="@selected = 'true'"><xsl:attribute name="checked">checked</xsl:attribute></xsl:if>
            <xsl:if test="$type = 'radio' and $field/@required = 'true'"><xsl:attribute name="required">required</xsl:attribute></xsl:if>
            <xsl:for-each select="$field"><xsl:call-template name="described-by"/></xsl:for-each>
          </input>
          <label for="{@id}"><xsl:value-of select="."/></label>
        </div>
      </xsl:for-each>
    </fieldset>
  </xsl:template>

  <xsl:template match="v:field[@widget = 'checkbox']">
    <div class="field choice single">
      <xsl:if test="v:error"><xsl:attribute name="class">field choice single has-error</xsl:attribute></xsl:if>
      <xsl:call-template name="conditional"/>
      <input type="checkbox" id="{@id}" name="{@name}" value="true">
        <xsl:if test="v:option/@selected = 'true'"><xsl:attribute name="checked">checked</xsl:attribute></xsl:if>
        <xsl:call-template name="described-by"/>
      </input>
      <label for="{@id}"><xsl:call-template name="label-text"/></label>
      <xsl:call-template name="help-and-errors"/>
    </div>
  </xsl:template>

  <xsl:template match="v:field[@widget = 'address']">
    <fieldset class="field address" id="{@id}">
      <xsl:if test="v:error"><xsl:attribute name="class">field address has-error</xsl:attribute></xsl:if>
      <xsl:call-template name="conditional"/>
      <xsl:if test="v:help or v:error">
        <xsl:attribute name="aria-describedby"><xsl:if test="v:help"><xsl:value-of select="@id"/>-help</xsl:if><xsl:if test="v:help and v:error"><xsl:text> </xsl:text></xsl:if><xsl:if test="v:error"><xsl:value-of select="@id"/>-error</xsl:if></xsl:attribute>
      </xsl:if>
      <legend><xsl:call-template name="label-text"/></legend>
      <xsl:call-template name="help-and-errors"/>
      <xsl:for-each select="v:part">
        <div class="field">
          <xsl:if test="v:error"><xsl:attribute name="class">field has-error</xsl:attribute></xsl:if>
          <label for="{@id}"><xsl:call-template name="label-text"/></label>
          <xsl:call-template name="help-and-errors"/>
          <input type="text" id="{@id}" name="{@input-name}" value="{v:value}">
            <xsl:call-template name="input-attributes"/>
          </input>
        </div>
      </xsl:for-each>
    </fieldset>
  </xsl:template>

  <!-- A repeating group: one fieldset per row, each row's errors on it, a
       button to remove a row and one to add a row. The buttons post the form
       back (it comes again with the rows changed); the page's script does it
       in place. -->
  <xsl:template match="v:field[@widget = 'rows']">
    <fieldset class="field rows" id="{@id}" data-rows="{@name}" data-min="{@min-rows}" data-max="{@max-rows}">
      <xsl:if test="v:error"><xsl:attribute name="class">field rows has-error</xsl:attribute></xsl:if>
      <xsl:call-template name="conditional"/>
      <xsl:if test="v:help or v:error or v:condition">
        <xsl:attribute name="aria-describedby"><xsl:if test="v:help"><xsl:value-of select="@id"/>-help </xsl:if><xsl:if test="v:condition"><xsl:value-of select="@id"/>-condition </xsl:if><xsl:if test="v:error"><xsl:value-of select="@id"/>-error</xsl:if></xsl:attribute>
      </xsl:if>
      <legend><xsl:call-template name="label-text"/></legend>
      <xsl:call-template name="help-and-errors"/>
      <xsl:for-each select="v:row">
        <fieldset class="row" data-row="{@index}" id="{../@id}-{@index}">
          <legend><xsl:value-of select="v:legend"/></legend>
          <xsl:if test="v:error">
            <p class="error-message" id="{../@id}-{@index}-error">
              <xsl:copy-of select="v:error[1]/@lang"/>
              <xsl:for-each select="v:error"><xsl:if test="position() &gt; 1"><xsl:text> </xsl:text></xsl:if><xsl:value-of select="."/></xsl:for-each>
            </p>
          </xsl:if>
          <xsl:apply-templates select="v:field"/>
          <xsl:if test="@remove">
            <p>
              <xsl:if test="@removable = 'false'"><xsl:attribute name="hidden">hidden</xsl:attribute></xsl:if>
              <button type="submit" class="button secondary" name="_remove" value="{@remove}" data-remove-row=""><xsl:call-template name="m"><xsl:with-param name="key">form.remove-row</xsl:with-param></xsl:call-template></button>
            </p>
          </xsl:if>
        </fieldset>
      </xsl:for-each>
      <xsl:if test="v:add">
        <p><button type="submit" class="button secondary" name="_add" value="{v:add/@value}" data-add-row=""><xsl:value-of select="v:add"/></button></p>
      </xsl:if>
    </fieldset>
  </xsl:template>
</xsl:stylesheet>
