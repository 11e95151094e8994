# Remove Perisai Agent's entries from this user's Windows Credential Manager: the database
# keys and the sync tokens (keyring service "perisai-agent": target "perisai-agent" or
# "<account>@perisai-agent"). Run by the uninstaller when the person asks to delete their
# data; nothing else is touched. Prints how many entries it removed.
#   powershell -NoProfile -ExecutionPolicy Bypass -File remove_credentials.ps1
$ErrorActionPreference = "Stop"
Add-Type -TypeDefinition @"
using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

public static class PerisaiCredentials {
    const int CRED_TYPE_GENERIC = 1;

    [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
    struct CREDENTIAL {
        public int Flags; public int Type; public string TargetName; public string Comment;
        public long LastWritten; public int CredentialBlobSize; public IntPtr CredentialBlob;
        public int Persist; public int AttributeCount; public IntPtr Attributes;
        public string TargetAlias; public string UserName;
    }

    [DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
    static extern bool CredEnumerate(string filter, int flags, out int count, out IntPtr credentials);
    [DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
    static extern bool CredDelete(string target, int type, int flags);
    [DllImport("advapi32.dll")]
    static extern void CredFree(IntPtr buffer);

    public static int RemoveService(string service) {
        int count; IntPtr list;
        if (!CredEnumerate(null, 0, out count, out list)) return 0;  // none at all
        var targets = new List<string>();
        try {
            for (int i = 0; i < count; i++) {
                IntPtr item = Marshal.ReadIntPtr(list, i * IntPtr.Size);
                var cred = (CREDENTIAL)Marshal.PtrToStructure(item, typeof(CREDENTIAL));
                if (cred.Type == CRED_TYPE_GENERIC && cred.TargetName != null &&
                    (cred.TargetName == service || cred.TargetName.EndsWith("@" + service)))
                    targets.Add(cred.TargetName);
            }
        } finally { CredFree(list); }
        int removed = 0;
        foreach (var target in targets)
            if (CredDelete(target, CRED_TYPE_GENERIC, 0)) removed++;
        return removed;
    }
}
"@
$removed = [PerisaiCredentials]::RemoveService("perisai-agent")
Write-Output "credentials removed: $removed"
