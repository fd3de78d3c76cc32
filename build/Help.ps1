#Requires -Version 7.4
<#
.SYNOPSIS
    Generates MAML help (en-US/<Assembly>.dll-Help.xml) for compiled cmdlets.

.DESCRIPTION
    The prose comes from docs/help/<Verb-Noun>.psd1; everything structural - parameter names,
    types, mandatory/position/pipeline flags, aliases, parameter sets, enum/ValidateSet values,
    output types - is read from the compiled cmdlets (Get-Command metadata), so the help cannot
    drift from the code.

    A help source is a hashtable:
        @{
            Synopsis    = 'One line.'
            Description = 'Paragraphs, separated by blank lines.'
            Parameters  = @{
                Path = 'What it is.'                                   # or:
                Port = @{ Description = 'Server port.'; Default = '5432' }
            }
            Examples    = @( @{ Title = 'optional'; Code = 'Verb-Noun -Path x'; Remarks = 'What it does.' } )
            Inputs      = @{ 'PgBackupTools.Backup' = 'optional description' }   # optional
            Outputs     = @{ 'PgBackupTools.Backup' = 'optional description' }   # optional
            Notes       = 'optional'
            Links       = @( 'Get-PgBackup', 'https://...' )                   # optional
        }

    The generator FAILS (exit 1, every problem listed) when:
      - an exported cmdlet has no help source,
      - a parameter (other than common parameters, WhatIf and Confirm) has no description,
        (WhatIf and Confirm get standard text unless the source describes them),
      - a help source describes a parameter the cmdlet does not have,
      - a cmdlet has no example, or no synopsis/description.
    A help source without a matching cmdlet only warns (help may be written before the code).

.EXAMPLE
    dotnet pwsh -File build/Help.ps1 -ModulePath out/PgBackupTools/PgBackupTools.psd1 -SourceDirectory docs/help -OutputPath out/PgBackupTools/en-US/PgBackupTools.dll-Help.xml
#>
[CmdletBinding(DefaultParameterSetName = 'Path')]
param(
    # Module manifest (or dll) to import; its exported cmdlets are documented.
    [Parameter(Mandatory, ParameterSetName = 'Path')]
    [string]$ModulePath,

    # Alternatively an already available module by name (used to test the generator on built-in cmdlets).
    [Parameter(Mandatory, ParameterSetName = 'Name')]
    [string]$ModuleName,

    # Only these cmdlets (default: all cmdlets the module exports).
    [string[]]$CommandName,

    [Parameter(Mandatory)]
    [string]$SourceDirectory,

    [Parameter(Mandatory)]
    [string]$OutputPath
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

# Common parameters are documented by PowerShell itself (<CommonParameters>); WhatIf/Confirm get standard text.
$CommonParameters = @([System.Management.Automation.Cmdlet]::CommonParameters) +
    @([System.Management.Automation.Cmdlet]::OptionalCommonParameters | Where-Object { $_ -notin 'WhatIf', 'Confirm' })
$StandardParameterDocs = @{
    WhatIf  = 'Shows what would happen if the cmdlet runs. The cmdlet is not run.'
    Confirm = 'Prompts you for confirmation before running the cmdlet.'
}

if ($PSCmdlet.ParameterSetName -eq 'Path') {
    $module = Import-Module (Resolve-Path $ModulePath).ProviderPath -PassThru -Force
    $module = @($module)[0]
} else {
    $module = @(Get-Module $ModuleName) + @(Import-Module $ModuleName -PassThru) | Where-Object { $_ } | Select-Object -First 1
    if (-not $module) { throw "Module '$ModuleName' not found." }
}
$commands = @(Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name)
if ($CommandName) { $CommandName = @($CommandName -split ',' | ForEach-Object Trim); $commands = @($commands | Where-Object Name -in $CommandName) }
if ($commands.Count -eq 0) { throw "Module '$($module.Name)' exports no cmdlets to document." }

$problems = [Collections.Generic.List[string]]::new()
function Add-Problem([string]$Message) { $problems.Add($Message) }

# ---------------------------------------------------------------- sources
$sources = @{}
if (-not (Test-Path $SourceDirectory)) { throw "Help source directory '$SourceDirectory' does not exist." }
foreach ($f in Get-ChildItem $SourceDirectory -Filter '*.psd1' -File) {
    try {
        $sources[$f.BaseName] = Import-PowerShellDataFile $f.FullName
    } catch {
        Add-Problem "$($f.Name): cannot be parsed: $($_.Exception.Message)"
    }
}
foreach ($name in $sources.Keys | Sort-Object) {
    if (-not ($commands | Where-Object Name -eq $name) -and -not $CommandName) {
        Write-Warning "docs/help/$name.psd1 has no matching cmdlet in module $($module.Name) (renamed or not written yet?)."
    }
}

# ---------------------------------------------------------------- helpers
function Get-Text($Value) {
    if ($null -eq $Value) { return '' }
    return (@($Value) -join "`n").Trim()
}

function Get-Paragraphs([string]$Text) {
    if (-not $Text) { return @() }
    return @($Text -split '(?:\r?\n){2,}' | ForEach-Object { ($_ -split '\r?\n' | ForEach-Object Trim) -join ' ' } | Where-Object { $_ })
}

function Get-FriendlyTypeName([type]$Type) {
    if ($Type.IsArray) { return (Get-FriendlyTypeName $Type.GetElementType()) + '[]' }
    if ($Type.IsGenericType -and $Type.GetGenericTypeDefinition() -eq [Nullable`1]) { return Get-FriendlyTypeName $Type.GetGenericArguments()[0] }
    return $Type.Name
}

function Get-ParameterDoc($Source, [string]$Name) {
    # -> @{ Description; Default } or $null
    if (-not $Source.ContainsKey('Parameters') -or -not $Source.Parameters) { return $null }
    foreach ($k in $Source.Parameters.Keys) {
        if ($k -eq $Name) {
            $v = $Source.Parameters[$k]
            if ($v -is [hashtable]) { return @{ Description = Get-Text $v['Description']; Default = Get-Text $v['Default'] } }
            return @{ Description = Get-Text $v; Default = '' }
        }
    }
    return $null
}

function Get-PipelineInput($ParamAttr) {
    $kinds = @()
    if ($ParamAttr.ValueFromPipelineByPropertyName) { $kinds += 'ByPropertyName' }
    if ($ParamAttr.ValueFromPipeline) { $kinds += 'ByValue' }
    if ($kinds) { return "True ($($kinds -join ', '))" }
    return 'False'
}

function Get-AllowedValues([System.Management.Automation.ParameterMetadata]$Meta) {
    $vs = $Meta.Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] } | Select-Object -First 1
    if ($vs) { return @($vs.ValidValues) }
    $t = $Meta.ParameterType
    if ($t.IsArray) { $t = $t.GetElementType() }
    if ($t.IsGenericType -and $t.GetGenericTypeDefinition() -eq [Nullable`1]) { $t = $t.GetGenericArguments()[0] }
    if ($t.IsEnum) { return @([enum]::GetNames($t)) }
    return @()
}

# ---------------------------------------------------------------- XML
$ns = @{
    ''      = 'http://msh'
    maml    = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
    MSHelp  = 'http://msdn.microsoft.com/mshelp'
}
$settings = [System.Xml.XmlWriterSettings]::new()
$settings.Indent = $true
$settings.Encoding = [System.Text.UTF8Encoding]::new($false)
$buffer = [IO.MemoryStream]::new()
$w = [System.Xml.XmlWriter]::Create($buffer, $settings)

function Start-El([string]$Prefix, [string]$Local) { $w.WriteStartElement($Prefix, $Local, $ns[$Prefix]) }
function End-El { $w.WriteEndElement() }
function Write-El([string]$Prefix, [string]$Local, [string]$Value) { $w.WriteElementString($Prefix, $Local, $ns[$Prefix], $Value) }
function Write-Paras([string]$Text) {
    $paras = @(Get-Paragraphs $Text)
    if ($paras.Count -eq 0) { Write-El 'maml' 'para' '' }
    foreach ($p in $paras) { Write-El 'maml' 'para' $p }
}
function Write-Description([string]$Text) { Start-El 'maml' 'description'; Write-Paras $Text; End-El }

function Write-Parameter {
    param($Meta, $Attr, [string]$Description, [string]$Default, [bool]$Required, [string]$Position, [bool]$InSyntax)
    $isSwitch = $Meta.SwitchParameter
    $aliases = if ($Meta.Aliases.Count) { $Meta.Aliases -join ', ' } else { 'none' }
    $globbing = [bool]($Meta.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
    $typeName = Get-FriendlyTypeName $Meta.ParameterType
    Start-El 'command' 'parameter'
    $w.WriteAttributeString('required', $Required.ToString().ToLowerInvariant())
    $w.WriteAttributeString('variableLength', $Meta.ParameterType.IsArray.ToString().ToLowerInvariant())
    $w.WriteAttributeString('globbing', $globbing.ToString().ToLowerInvariant())
    $w.WriteAttributeString('pipelineInput', (Get-PipelineInput $Attr))
    $w.WriteAttributeString('position', $Position)
    $w.WriteAttributeString('aliases', $aliases)
    Write-El 'maml' 'name' $Meta.Name
    Write-Description $Description
    $allowed = @(Get-AllowedValues $Meta)
    if ($InSyntax -and $allowed.Count -gt 0) {
        Start-El 'command' 'parameterValueGroup'
        foreach ($v in $allowed) {
            Start-El 'command' 'parameterValue'
            $w.WriteAttributeString('required', 'false')
            $w.WriteAttributeString('command', 'variableLength', $ns.command, 'false')
            $w.WriteString($v)
            End-El
        }
        End-El
    }
    if (-not ($InSyntax -and $isSwitch)) {
        Start-El 'command' 'parameterValue'
        $w.WriteAttributeString('required', $(if ($isSwitch) { 'false' } else { 'true' }))
        $w.WriteAttributeString('variableLength', $Meta.ParameterType.IsArray.ToString().ToLowerInvariant())
        $w.WriteString($typeName)
        End-El
    }
    Start-El 'dev' 'type'
    Write-El 'maml' 'name' $Meta.ParameterType.FullName
    Write-El 'maml' 'uri' ''
    End-El
    Write-El 'dev' 'defaultValue' $(if ($Default) { $Default } elseif ($isSwitch) { 'False' } else { 'None' })
    End-El
}

function Get-PositionText([int]$Position) { if ($Position -lt 0) { 'named' } else { [string]$Position } }

$w.WriteStartDocument()
$w.WriteStartElement('helpItems', $ns[''])
$w.WriteAttributeString('schema', 'maml')
foreach ($p in 'maml', 'command', 'dev', 'MSHelp') { $w.WriteAttributeString('xmlns', $p, $null, $ns[$p]) }

foreach ($cmd in $commands) {
    $name = $cmd.Name
    $src = $sources[$name]
    if (-not $src) {
        Add-Problem "${name}: no help source. Create docs/help/$name.psd1 (Synopsis, Description, Parameters, Examples)."
        continue
    }
    $synopsis = Get-Text $src['Synopsis']
    $description = Get-Text $src['Description']
    if (-not $synopsis) { Add-Problem "${name}: Synopsis is empty in docs/help/$name.psd1." }
    if (-not $description) { Add-Problem "${name}: Description is empty in docs/help/$name.psd1." }
    $examples = @($src['Examples'] | Where-Object { $_ })
    if ($examples.Count -eq 0) { Add-Problem "${name}: no example in docs/help/$name.psd1 (Examples = @(@{ Code = '...'; Remarks = '...' }))." }
    foreach ($ex in $examples) {
        if ($ex -isnot [hashtable] -or -not (Get-Text $ex['Code'])) { Add-Problem "${name}: every example needs a Code entry." }
    }

    # Parameters to document: everything except common parameters, WhatIf and Confirm.
    $params = @($cmd.Parameters.Values | Where-Object { $CommonParameters -notcontains $_.Name })
    $docs = @{}
    foreach ($p in $params) {
        $d = Get-ParameterDoc $src $p.Name
        if ((-not $d -or -not $d.Description) -and $StandardParameterDocs.ContainsKey($p.Name)) {
            $d = @{ Description = $StandardParameterDocs[$p.Name]; Default = 'False' }
        }
        if (-not $d -or -not $d.Description) {
            Add-Problem "${name}: parameter -$($p.Name) [$((Get-FriendlyTypeName $p.ParameterType))] has no description in docs/help/$name.psd1 (Parameters = @{ $($p.Name) = '...' })."
            $d = @{ Description = ''; Default = '' }
        }
        $docs[$p.Name] = $d
    }
    if ($src['Parameters']) {
        foreach ($k in $src.Parameters.Keys) {
            if (-not ($params | Where-Object Name -eq $k)) {
                $known = ($params.Name | Sort-Object) -join ', '
                Add-Problem "${name}: docs/help/$name.psd1 describes parameter -$k, which the cmdlet does not have (it has: $known)."
            }
        }
    }

    Start-El 'command' 'command'
    Start-El 'command' 'details'
    Write-El 'command' 'name' $name
    Write-El 'command' 'verb' $cmd.Verb
    Write-El 'command' 'noun' $cmd.Noun
    Write-Description $synopsis
    End-El
    Write-Description $description

    # Syntax: one item per parameter set, default set first; positional, then mandatory, then the rest.
    $sets = @($cmd.ParameterSets | Sort-Object @{ Expression = { -not $_.IsDefault } }, Name)
    Start-El 'command' 'syntax'
    foreach ($set in $sets) {
        Start-El 'command' 'syntaxItem'
        Write-El 'maml' 'name' $name
        $ordered = $set.Parameters | Where-Object { $CommonParameters -notcontains $_.Name } | Sort-Object `
            @{ Expression = { if ($_.Position -ge 0) { 0 } elseif ($_.IsMandatory) { 1 } elseif ($StandardParameterDocs.ContainsKey($_.Name)) { 3 } else { 2 } } },
            @{ Expression = { $_.Position } }, @{ Expression = { $_.Name } }
        foreach ($sp in $ordered) {
            $meta = $cmd.Parameters[$sp.Name]
            $attr = $meta.ParameterSets[$set.Name]
            if (-not $attr) { $attr = $meta.ParameterSets['__AllParameterSets'] }
            Write-Parameter -Meta $meta -Attr $attr -Description $docs[$sp.Name].Description -Default $docs[$sp.Name].Default `
                -Required $sp.IsMandatory -Position (Get-PositionText $sp.Position) -InSyntax $true
        }
        End-El
    }
    End-El

    # Parameters: one entry each. Mandatory only if mandatory in every set; sets listed in the text.
    Start-El 'command' 'parameters'
    foreach ($meta in $params | Sort-Object Name) {
        $setAttrs = @($meta.ParameterSets.GetEnumerator())
        $required = @($setAttrs | Where-Object { -not $_.Value.IsMandatory }).Count -eq 0
        $positions = @($setAttrs | ForEach-Object { $_.Value.Position } | Sort-Object -Unique)
        $position = if ($positions.Count -eq 1) { Get-PositionText $positions[0] } else { 'named' }
        $text = $docs[$meta.Name].Description
        $setNames = @($setAttrs.Key | Where-Object { $_ -ne '__AllParameterSets' } | Sort-Object)
        if ($setNames.Count -gt 0 -and $cmd.ParameterSets.Count -gt 1) {
            $text += "`n`nParameter sets: $($setNames -join ', ')."
            $mandatoryIn = @($setAttrs | Where-Object { $_.Value.IsMandatory -and $_.Key -ne '__AllParameterSets' } | ForEach-Object Key | Sort-Object)
            if (-not $required -and $mandatoryIn.Count -gt 0) { $text += " Mandatory in: $($mandatoryIn -join ', ')." }
        }
        $allowed = @(Get-AllowedValues $meta)
        if ($allowed.Count -gt 0) { $text += "`n`nAccepted values: $($allowed -join ', ')." }
        $attr = $setAttrs[0].Value
        $anyPipe = $setAttrs | Where-Object { $_.Value.ValueFromPipeline -or $_.Value.ValueFromPipelineByPropertyName } | Select-Object -First 1
        if ($anyPipe) { $attr = $anyPipe.Value }
        Write-Parameter -Meta $meta -Attr $attr -Description $text -Default $docs[$meta.Name].Default -Required $required -Position $position -InSyntax $false
    }
    End-El

    # Inputs: types of pipeline parameters (+ optional prose).
    $inputs = [ordered]@{}
    foreach ($meta in $params) {
        foreach ($kv in $meta.ParameterSets.GetEnumerator()) {
            if ($kv.Value.ValueFromPipeline -or $kv.Value.ValueFromPipelineByPropertyName) {
                $inputs[$meta.ParameterType.FullName] = "Bound to -$($meta.Name) $((Get-PipelineInput $kv.Value) -replace '^True ', '')."
            }
        }
    }
    if ($src['Inputs']) { foreach ($k in $src.Inputs.Keys) { $inputs[$k] = Get-Text $src.Inputs[$k] } }
    Start-El 'command' 'inputTypes'
    if ($inputs.Count -eq 0) { $inputs['None'] = 'This cmdlet does not accept pipeline input.' }
    foreach ($k in $inputs.Keys) {
        Start-El 'command' 'inputType'
        Start-El 'dev' 'type'; Write-El 'maml' 'name' $k; End-El
        Write-Description $inputs[$k]
        End-El
    }
    End-El

    # Outputs: [OutputType] of the cmdlet (+ optional prose).
    $outputs = [ordered]@{}
    foreach ($t in $cmd.OutputType) { $outputs[$t.Name] = '' }
    if ($src['Outputs']) { foreach ($k in $src.Outputs.Keys) { $outputs[$k] = Get-Text $src.Outputs[$k] } }
    Start-El 'command' 'returnValues'
    foreach ($k in $outputs.Keys) {
        Start-El 'command' 'returnValue'
        Start-El 'dev' 'type'; Write-El 'maml' 'name' $k; End-El
        Write-Description $outputs[$k]
        End-El
    }
    End-El

    $notes = Get-Text $src['Notes']
    if ($notes) {
        Start-El 'maml' 'alertSet'
        Start-El 'maml' 'alert'; Write-Paras $notes; End-El
        End-El
    }

    Start-El 'command' 'examples'
    $i = 0
    foreach ($ex in $examples) {
        if ($ex -isnot [hashtable]) { continue }
        $i++
        $title = if ($ex['Title']) { "Example ${i}: $($ex['Title'])" } else { "Example $i" }
        Start-El 'command' 'example'
        Write-El 'maml' 'title' "-------------------------- $title --------------------------"
        Write-El 'dev' 'code' (Get-Text $ex['Code'])
        Start-El 'dev' 'remarks'; Write-Paras (Get-Text $ex['Remarks']); End-El
        End-El
    }
    End-El

    Start-El 'command' 'relatedLinks'
    foreach ($l in @($src['Links'] | Where-Object { $_ })) {
        Start-El 'maml' 'navigationLink'
        if ($l -match '^https?://') { Write-El 'maml' 'linkText' 'Online Version:'; Write-El 'maml' 'uri' $l }
        else { Write-El 'maml' 'linkText' $l; Write-El 'maml' 'uri' '' }
        End-El
    }
    End-El

    End-El # command:command
}
$w.WriteEndElement()
$w.WriteEndDocument()
$w.Flush()

if ($problems.Count -gt 0) {
    Write-Host "Help generation FAILED - $($problems.Count) problem(s):" -ForegroundColor Red
    $problems | ForEach-Object { Write-Host "  - $_" -ForegroundColor Red }
    exit 1
}

$dir = Split-Path -Parent ([IO.Path]::GetFullPath($OutputPath))
New-Item -ItemType Directory -Force -Path $dir | Out-Null
[IO.File]::WriteAllBytes([IO.Path]::GetFullPath($OutputPath), $buffer.ToArray())
Write-Host "Wrote help for $($commands.Count) cmdlet(s) to $OutputPath"
