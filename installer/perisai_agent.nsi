; Perisai Agent: per-user Windows installer (NSIS 3, Modern UI 2).
;
; Built by installer/build.py:
;   makensis /DVERSION=0.1.0 /DSOURCE_DIR=<dist/perisai-agent> /DOUTFILE=<dist/...exe> perisai_agent.nsi
;
; * Installs for the current user only (no admin rights): $LOCALAPPDATA\Programs\Perisai Agent.
; * Start menu and desktop shortcuts; uninstaller registered under HKCU.
; * The console companion (CLI_EXE: the same commands, with a console) goes on the user's
;   PATH (HKCU\Environment, no admin); the uninstaller takes it off again.
; * Upgrade: finds the previous install (HKCU), asks to close the running app, replaces the
;   program files only. The user's data (DATA_DIR) is never touched by an install; the app
;   migrates its database on first start (after backing it up).
; * Uninstall keeps the user's data unless "also delete my data" is ticked (and confirmed:
;   records not yet synced would be lost); then the app's entries in the Windows Credential
;   Manager (database keys, sync tokens) go too. Silently: uninstall.exe /S /DELETEDATA.
; * The app's own update (sync/updates.py) runs the installer with /S /relaunch: a silent
;   upgrade in place, then the app starts again.

Unicode true
ManifestDPIAware true
; COMPRESSOR: lzma (release, default), zlib (quick check builds) or none.
!ifndef COMPRESSOR
  !define COMPRESSOR "lzma"
!endif
!if "${COMPRESSOR}" == "lzma"
  SetCompressor /SOLID lzma
  SetCompressorDictSize 32
!else if "${COMPRESSOR}" == "none"
  SetCompress off
!else
  SetCompressor ${COMPRESSOR}
!endif

!ifndef VERSION
  !error "VERSION is required: makensis /DVERSION=x.y.z (installer/build.py passes it)"
!endif
!ifndef SOURCE_DIR
  !define SOURCE_DIR "..\dist\perisai-agent"
!endif
!ifndef OUTFILE
  !define OUTFILE "..\dist\PerisaiAgent-${VERSION}-setup.exe"
!endif
!ifndef APP_EXE
  !define APP_EXE "perisai-agent.exe"
!endif
!ifndef CLI_EXE
  !define CLI_EXE "perisai-agent-cli.exe"
!endif
!ifndef ICON_FILE
  !define ICON_FILE "..\resources\icons\perisai.ico"
!endif
; The app's data folder (agent_app.paths: %LOCALAPPDATA%\PerisaiAgent). Must match the app.
!ifndef DATA_DIR
  !define DATA_DIR "$LOCALAPPDATA\PerisaiAgent"
!endif
!ifndef VERSION_QUAD
  !define VERSION_QUAD "${VERSION}.0"
!endif

; Code signing (release CI): SIGN_COMMAND is a command line that signs the file given as
; its last argument, e.g. signtool sign /f cert.pfx /p ... /fd SHA256 /tr <tsa> /td SHA256
; It signs the uninstaller (while it is generated) and then the installer itself.
!ifdef SIGN_COMMAND
  !uninstfinalize '${SIGN_COMMAND} "%1"' = 0
  !finalize '${SIGN_COMMAND} "%1"' = 0
!endif

!define APP_NAME "Perisai Agent"
!define PUBLISHER "Program Makassar Berjasa"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\PerisaiAgent"
!define APP_KEY "Software\PerisaiAgent"

Name "${APP_NAME}"
OutFile "${OUTFILE}"
RequestExecutionLevel user
InstallDir "$LOCALAPPDATA\Programs\${APP_NAME}"
InstallDirRegKey HKCU "${APP_KEY}" "InstallDir"
BrandingText "${APP_NAME} ${VERSION}"

VIProductVersion "${VERSION_QUAD}"
VIAddVersionKey /LANG=0 "ProductName" "${APP_NAME}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileDescription" "${APP_NAME} installer"
VIAddVersionKey /LANG=0 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=0 "LegalCopyright" "${PUBLISHER}"

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "WordFunc.nsh"
!include "FileFunc.nsh"
!include "WinMessages.nsh"
!include "Sections.nsh"

!define MUI_ICON "${ICON_FILE}"
!define MUI_UNICON "${ICON_FILE}"
!define MUI_ABORTWARNING
!define MUI_COMPONENTSPAGE_NODESC

!insertmacro MUI_PAGE_WELCOME
; On an upgrade the folder is the previous install's: don't offer to change it.
!define MUI_PAGE_CUSTOMFUNCTION_PRE SkipDirectoryOnUpgrade
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!define MUI_FINISHPAGE_RUN "$INSTDIR\${APP_EXE}"
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_COMPONENTS
!insertmacro MUI_UNPAGE_INSTFILES

; Bahasa Indonesia first: it is the default language of the installer.
!insertmacro MUI_LANGUAGE "Indonesian"
!insertmacro MUI_LANGUAGE "English"

LangString MsgRunning ${LANG_INDONESIAN} "Perisai Agent sedang berjalan.$\r$\n$\r$\nTekan OK untuk menutupnya sekarang (data yang sudah tersimpan aman), atau Batal untuk berhenti."
LangString MsgRunning ${LANG_ENGLISH} "Perisai Agent is running.$\r$\n$\r$\nPress OK to close it now (data already saved is safe), or Cancel to stop."
LangString MsgStillRunning ${LANG_INDONESIAN} "Perisai Agent masih berjalan. Tutup aplikasi lalu tekan Coba lagi."
LangString MsgStillRunning ${LANG_ENGLISH} "Perisai Agent is still running. Close it, then press Retry."
LangString MsgUpgrade ${LANG_INDONESIAN} "Perisai Agent $0 sudah terpasang dan akan diperbarui ke ${VERSION}. Data Anda tidak diubah."
LangString MsgUpgrade ${LANG_ENGLISH} "Perisai Agent $0 is installed and will be upgraded to ${VERSION}. Your data is not changed."
LangString MsgDowngrade ${LANG_INDONESIAN} "Versi yang lebih baru ($0) sudah terpasang. Memasang ${VERSION} dapat membuat aplikasi menolak database Anda. Tetap lanjutkan?"
LangString MsgDowngrade ${LANG_ENGLISH} "A newer version ($0) is already installed. Installing ${VERSION} may make the app refuse your database. Continue anyway?"
LangString SecProgram ${LANG_INDONESIAN} "Berkas program Perisai Agent"
LangString SecProgram ${LANG_ENGLISH} "Perisai Agent program files"
LangString SecData ${LANG_INDONESIAN} "Hapus juga data saya (database, cadangan, log)"
LangString SecData ${LANG_ENGLISH} "Also delete my data (database, backups, logs)"
LangString MsgDeleteData ${LANG_INDONESIAN} "PERINGATAN: semua data di $\r$\n${DATA_DIR}$\r$\nakan dihapus, termasuk pendaftaran dan pembayaran yang BELUM DISINKRONKAN. Data itu akan hilang selamanya.$\r$\n$\r$\nHapus data?"
LangString MsgDeleteData ${LANG_ENGLISH} "WARNING: all data in$\r$\n${DATA_DIR}$\r$\nwill be deleted, including registrations and payments NOT YET SYNCED. They will be lost for good.$\r$\n$\r$\nDelete the data?"
LangString MsgDataKept ${LANG_INDONESIAN} "Data Anda tetap tersimpan di ${DATA_DIR}"
LangString MsgDataKept ${LANG_ENGLISH} "Your data is kept in ${DATA_DIR}"
LangString MsgPathTooLong ${LANG_INDONESIAN} "PATH pengguna terlalu panjang untuk diubah dengan aman; ${CLI_EXE} ada di $INSTDIR"
LangString MsgPathTooLong ${LANG_ENGLISH} "The user's PATH is too long to change safely; ${CLI_EXE} is in $INSTDIR"

Var PreviousVersion
Var DeleteDataAsked

; ---------------------------------------------------------------- close the running app
; No plugin needed: a running executable cannot be opened for writing (its image is
; mapped; note that renaming it would succeed, so that is no probe). Ask, then close it
; politely (taskkill without /F sends WM_CLOSE, so the app saves and exits), then insist.
!macro CloseRunningApp UN
Function ${UN}AppIsRunning
  ; pushes 1 if either installed exe is in use (the app, or a console command such as a
  ; scheduled sync), else 0
  IfFileExists "$INSTDIR\${APP_EXE}" 0 cli
  ClearErrors
  FileOpen $R9 "$INSTDIR\${APP_EXE}" a
  IfErrors running
  FileClose $R9
  cli:
  IfFileExists "$INSTDIR\${CLI_EXE}" 0 notrunning
  ClearErrors
  FileOpen $R9 "$INSTDIR\${CLI_EXE}" a
  IfErrors running
  FileClose $R9
  notrunning:
  Push 0
  Return
  running:
  Push 1
FunctionEnd

Function ${UN}CloseRunningApp
  Call ${UN}AppIsRunning
  Pop $0
  StrCmp $0 0 done
  MessageBox MB_OKCANCEL|MB_ICONEXCLAMATION "$(MsgRunning)" /SD IDOK IDOK close
  Abort
  close:
  nsExec::Exec 'taskkill /IM "${APP_EXE}"'
  Pop $0
  StrCpy $1 0
  wait:
    Sleep 500
    IntOp $1 $1 + 1
    Call ${UN}AppIsRunning
    Pop $0
    StrCmp $0 0 done
    IntCmp $1 20 0 wait 0
  MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "$(MsgStillRunning)" /SD IDCANCEL IDRETRY close
  Abort
  done:
FunctionEnd
!macroend
!insertmacro CloseRunningApp ""
!insertmacro CloseRunningApp "un."

; ------------------------------------------------------------- the user's PATH
; NSIS strings hold NSIS_MAX_STRLEN characters: a longer PATH reads as empty with the error
; flag set, and writing anything back would cut the user's PATH short. So the value is
; looked for first, and a PATH that does not fit is left alone (the installer says so).
!define ENV_KEY "Environment"
!define /math PATH_LIMIT ${NSIS_MAX_STRLEN} - 2

!macro UserPath UN
Function ${UN}ReadUserPath
  ; $R0 = the user's PATH (unexpanded), $R1 = "ok", "missing" or "toolong"
  StrCpy $R0 ""
  StrCpy $R1 "missing"
  StrCpy $R2 0
  find:
    EnumRegValue $R3 HKCU "${ENV_KEY}" $R2
    StrCmp $R3 "" done
    StrCmp $R3 "Path" read  ; StrCmp ignores case, like Windows
    IntOp $R2 $R2 + 1
    Goto find
  read:
  ClearErrors
  ReadRegStr $R0 HKCU "${ENV_KEY}" "Path"
  StrCpy $R1 "ok"
  IfErrors 0 done
  StrCpy $R1 "toolong"
  done:
FunctionEnd
!macroend
!insertmacro UserPath ""
!insertmacro UserPath "un."

Function AddToUserPath
  Call ReadUserPath
  StrCmp $R1 "toolong" toolong
  StrLen $R2 "$R0"
  StrLen $R3 "$INSTDIR"
  IntOp $R2 $R2 + $R3
  IntCmp $R2 ${PATH_LIMIT} toolong 0 toolong
  ${If} $R0 == ""
    StrCpy $R0 "$INSTDIR"
  ${Else}
    ${WordAdd} "$R0" ";" "+$INSTDIR" $R0  ; only when not there yet (an upgrade)
  ${EndIf}
  WriteRegExpandStr HKCU "${ENV_KEY}" "Path" "$R0"
  SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=5000
  Return
  toolong:
  DetailPrint "$(MsgPathTooLong)"
FunctionEnd

Function un.RemoveFromUserPath
  Call un.ReadUserPath
  StrCmp $R1 "ok" 0 done
  ${un.WordAdd} "$R0" ";" "-$INSTDIR" $R2
  ${If} $R2 == ""
    DeleteRegValue HKCU "${ENV_KEY}" "Path"
  ${Else}
    WriteRegExpandStr HKCU "${ENV_KEY}" "Path" "$R2"
  ${EndIf}
  SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=5000
  done:
FunctionEnd

; ----------------------------------------------------------------------- installer
Function .onInit
  ; A previous install: upgrade it where it is.
  ReadRegStr $0 HKCU "${UNINST_KEY}" "InstallLocation"
  ${If} $0 != ""
    StrCpy $INSTDIR $0
  ${EndIf}
  ReadRegStr $PreviousVersion HKCU "${UNINST_KEY}" "DisplayVersion"
  ${If} $PreviousVersion != ""
    StrCpy $0 $PreviousVersion
    ${VersionCompare} "$PreviousVersion" "${VERSION}" $1
    ${If} $1 == 1
      MessageBox MB_YESNO|MB_ICONEXCLAMATION "$(MsgDowngrade)" /SD IDNO IDYES +2
      Abort
    ${ElseIf} $1 == 2
      MessageBox MB_OK|MB_ICONINFORMATION "$(MsgUpgrade)" /SD IDOK
    ${EndIf}
  ${EndIf}
FunctionEnd

; After a silent upgrade started by the app itself (/relaunch): start the new version.
Function .onInstSuccess
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/relaunch" $R1
  IfErrors +2
  Exec '"$INSTDIR\${APP_EXE}"'
FunctionEnd

Function SkipDirectoryOnUpgrade
  ${If} $PreviousVersion != ""
    Abort
  ${EndIf}
FunctionEnd

Section "!$(SecProgram)" SecMain
  SectionIn RO
  Call CloseRunningApp
  SetOutPath "$INSTDIR"
  ; Replace program files only: the old bundle goes, then the new one is copied.
  ; (User data lives in ${DATA_DIR}, never under $INSTDIR.)
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${APP_EXE}"
  Delete "$INSTDIR\${CLI_EXE}"
  File /r "${SOURCE_DIR}\*.*"
  File "remove_credentials.ps1"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  Call AddToUserPath

  CreateShortCut "$SMPROGRAMS\${APP_NAME}.lnk" "$INSTDIR\${APP_EXE}" "" "$INSTDIR\${APP_EXE}" 0
  CreateShortCut "$DESKTOP\${APP_NAME}.lnk" "$INSTDIR\${APP_EXE}" "" "$INSTDIR\${APP_EXE}" 0

  WriteRegStr HKCU "${APP_KEY}" "InstallDir" "$INSTDIR"
  WriteRegStr HKCU "${APP_KEY}" "Version" "${VERSION}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayName" "${APP_NAME}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINST_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\${APP_EXE},0"
  WriteRegStr HKCU "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKCU "${UNINST_KEY}" "EstimatedSize" "$0"
SectionEnd

; --------------------------------------------------------------------- uninstaller
; Not selected by default: the data stays unless the user asks, and confirms (silently:
; /DELETEDATA on the command line is both). It runs before the program files go: it needs
; remove_credentials.ps1 from $INSTDIR.
Section /o "un.$(SecData)" UnSecData
  StrCmp $DeleteDataAsked "1" delete
  MessageBox MB_YESNO|MB_ICONEXCLAMATION|MB_DEFBUTTON2 "$(MsgDeleteData)" /SD IDNO IDYES delete
  DetailPrint "$(MsgDataKept)"
  Goto end
  delete:
  Call un.CloseRunningApp  ; its database is open while it runs
  ; the database keys and sync tokens in the Credential Manager go with the data
  nsExec::ExecToLog 'powershell -NoProfile -ExecutionPolicy Bypass -File "$INSTDIR\remove_credentials.ps1"'
  Pop $0
  RMDir /r "${DATA_DIR}"
  end:
SectionEnd

Function un.onInit
  ${un.GetParameters} $R0
  ClearErrors
  ${un.GetOptions} $R0 "/DELETEDATA" $R1
  IfErrors done
  StrCpy $DeleteDataAsked "1"
  !insertmacro SelectSection ${UnSecData}
  done:
FunctionEnd

; The uninstaller runs from $INSTDIR (NSIS sets it to the uninstaller's folder).
Section "!un.$(SecProgram)" UnSecMain
  SectionIn RO
  Call un.CloseRunningApp
  Delete "$SMPROGRAMS\${APP_NAME}.lnk"
  Delete "$DESKTOP\${APP_NAME}.lnk"
  ; Only what the installer put there; never a recursive delete of $INSTDIR itself.
  Call un.RemoveFromUserPath
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${APP_EXE}"
  Delete "$INSTDIR\${CLI_EXE}"
  Delete "$INSTDIR\remove_credentials.ps1"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINST_KEY}"
  DeleteRegKey HKCU "${APP_KEY}"
SectionEnd


