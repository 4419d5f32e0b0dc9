; Inno Setup script for a per-user Todoku installer (optional; the portable zip needs none).
; UNTESTED: written on Linux, where neither Windows nor Inno Setup is available. See README.md.
; Build after `python packaging\build.py`:  iscc /DAppVersion=0.1.0 packaging\windows\todoku.iss
#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif

[Setup]
AppId={{6F0C2B1E-3E59-4C39-9B0E-5D1A7C9E2A41}
AppName=Todoku
AppVersion={#AppVersion}
AppPublisher=Todoku
DefaultDirName={localappdata}\Programs\Todoku
DefaultGroupName=Todoku
DisableProgramGroupPage=yes
; Per-user install: no administrator rights, no UAC prompt.
PrivilegesRequired=lowest
OutputDir=..\dist
OutputBaseFilename=Todoku-{#AppVersion}-setup
SetupIconFile=..\..\resources\icons\todoku.ico
UninstallDisplayIcon={app}\Todoku.exe
Compression=lzma2
SolidCompression=yes
ArchitecturesInstallIn64BitMode=x64compatible
WizardStyle=modern

[Languages]
Name: "japanese"; MessagesFile: "compiler:Languages\Japanese.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Files]
Source: "..\dist\Todoku\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Todoku"; Filename: "{app}\Todoku.exe"
Name: "{autodesktop}\Todoku"; Filename: "{app}\Todoku.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\Todoku.exe"; Description: "{cm:LaunchProgram,Todoku}"; Flags: nowait postinstall skipifsilent
