using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// Marks one version need of an ELF64 shared library as weak (VER_FLG_WEAK in its Vernaux entry), in place, so the
/// dynamic loader accepts the library on a system whose library lacks that version. Files that are not little-endian
/// ELF64 are left unchanged with a warning; a need that is already weak, or absent, leaves the file untouched.
/// </summary>
/// <remarks>
/// Compiled by RoslynCodeTaskFactory from Dha.targets (build/ here, buildTransitive/ in the Dha package), which says
/// why the build needs it. Offsets are those of the ELF64 header (e_shoff 0x28, e_shentsize 0x3A, e_shnum 0x3C),
/// section header (sh_type +4, sh_offset +0x18, sh_link +0x28, sh_info +0x2C), Verneed (vn_cnt +2, vn_aux +8,
/// vn_next +12) and Vernaux (vna_flags +4, vna_name +8, vna_next +12).
/// </remarks>
public sealed class WeakenElfVersionNeed : Task
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const int VerFlgWeak = 2;

    /// <summary>The libraries to patch; missing files are skipped.</summary>
    [Required]
    public ITaskItem[] Files { get; set; } = [];

    /// <summary>The version whose need becomes weak, e.g. GLIBCXX_3.4.32.</summary>
    [Required]
    public string VersionName { get; set; } = "";

    public override bool Execute()
    {
        foreach (var item in Files)
        {
            var path = item.ItemSpec;
            if (!File.Exists(path))
            {
                continue;
            }
            var elf = File.ReadAllBytes(path);
            if (!IsLittleEndianElf64(elf))
            {
                Log.LogWarning("{0} is not a little-endian ELF64 file; left unchanged", path);
                continue;
            }
            if (Weaken(elf))
            {
                var temp = path + ".weakening";
                File.WriteAllBytes(temp, elf);
                File.Delete(path);
                File.Move(temp, path);
                Log.LogMessage(MessageImportance.Normal, "Marked the {0} version need of {1} as weak", VersionName, path);
            }
        }
        return !Log.HasLoggedErrors;
    }

    private static bool IsLittleEndianElf64(byte[] elf) =>
        elf.Length >= 64 && elf[0] == 0x7f && elf[1] == (byte)'E' && elf[2] == (byte)'L' && elf[3] == (byte)'F'
        && elf[4] == 2 && elf[5] == 1;

    /// <summary>Sets the weak flag on every Vernaux entry named <see cref="VersionName"/>; true if any changed.</summary>
    private bool Weaken(byte[] elf)
    {
        var shoff = BitConverter.ToInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        var changed = false;
        for (var s = 0; s < shnum; s++)
        {
            var sh = shoff + (long)s * shentsize;
            if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed)
            {
                continue;
            }
            var offset = BitConverter.ToInt64(elf, (int)sh + 0x18);
            var link = (int)BitConverter.ToUInt32(elf, (int)sh + 0x28);
            var count = (int)BitConverter.ToUInt32(elf, (int)sh + 0x2C);
            var strtab = BitConverter.ToInt64(elf, (int)(shoff + (long)link * shentsize) + 0x18);
            var need = offset;
            for (var n = 0; n < count; n++)
            {
                int auxCount = BitConverter.ToUInt16(elf, (int)need + 2);
                var aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
                for (var a = 0; a < auxCount; a++)
                {
                    int flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                    if (NameAt(elf, strtab + BitConverter.ToUInt32(elf, (int)aux + 8)) == VersionName && (flags & VerFlgWeak) == 0)
                    {
                        flags |= VerFlgWeak;
                        elf[aux + 4] = (byte)(flags & 0xff);
                        elf[aux + 5] = (byte)(flags >> 8);
                        changed = true;
                    }
                    aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                }
                need += BitConverter.ToUInt32(elf, (int)need + 12);
            }
        }
        return changed;
    }

    /// <summary>The NUL-terminated ASCII string starting at <paramref name="start"/>.</summary>
    private static string NameAt(byte[] elf, long start)
    {
        var end = start;
        while (elf[end] != 0)
        {
            end++;
        }
        return Encoding.ASCII.GetString(elf, (int)start, (int)(end - start));
    }
}
