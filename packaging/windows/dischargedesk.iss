; Discharge Desk installer for Windows (Inno Setup 6). Per-machine, needs administrator rights.
;
; Build (on Windows, after PyInstaller made dist\dischargedesk\ from packaging\dischargedesk.spec;
; .github/workflows/installers.yml does both):
;     iscc /DAppVersion=0.1.0 packaging\windows\dischargedesk.iss
; Output: dist\DischargeDesk-0.1.0-setup.exe
;
; Silent install / uninstall (software deployment tools, e.g. Intune, SCCM, PDQ):
;     DischargeDesk-0.1.0-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART
;     "C:\Program Files\Discharge Desk\unins000.exe" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART
; Add /LOG="C:\Windows\Temp\dischargedesk-setup.log" for a log. Verify with:
;     "C:\Program Files\Discharge Desk\dischargedesk-cli.exe" selftest
; The site file (%ProgramData%\DischargeDesk\site.toml) is the administrator's: setup never
; writes it and uninstall leaves it in place.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#define AppName "Discharge Desk"
#define Bundle "..\..\dist\dischargedesk"

[Setup]
; AppId identifies the product for upgrades and uninstall: never change it.
AppId={{8C0E5C3B-5E0A-4F51-9D7B-1E2A6C4F9B17}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Discharge Desk developers
DefaultDirName={autopf}\{#AppName}
DisableDirPage=auto
DisableProgramGroupPage=yes
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\..\dist
OutputBaseFilename=DischargeDesk-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes
RestartApplications=no
UninstallDisplayName={#AppName}
UninstallDisplayIcon={app}\DischargeDesk.exe
VersionInfoVersion={#AppVersion}

[Dirs]
; the site settings folder: administrators write site.toml, users only read it
Name: "{commonappdata}\DischargeDesk"; Permissions: admins-full system-full users-readexec; Flags: uninsneveruninstall

[InstallDelete]
; an upgrade replaces the whole bundle: files a newer release no longer ships must not stay
; behind in _internal (they could shadow the new ones)
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#Bundle}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "..\site.toml.example"; DestDir: "{app}"; Flags: ignoreversion

[Icons]
; one Start-menu entry for every user of the machine
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\DischargeDesk.exe"; WorkingDir: "{app}"

[Run]
Filename: "{app}\DischargeDesk.exe"; Description: "Start {#AppName}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; everything setup put into {app} (an upgrade may leave renamed files behind)
Type: filesandordirs; Name: "{app}\_internal"
