using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace Serverless.DynamoDbLocal;

/// <summary>
/// Obtains AWS's DynamoDB Local from the npm package that ships it (the only registry this project's machines reach),
/// checks the tarball against a pinned SHA-512, and unpacks it once into a cache folder. The unpacked files are
/// checked against a pinned digest of their own every time a process first uses them, so a cache that was changed
/// after it was unpacked (by hand, by another tool, or half-deleted) is installed again instead of run.
/// </summary>
public static class DynamoDbLocalPackage
{
    public const string PackageName = "amplify-dynamodb-simulator";
    public const string PackageVersion = "2.9.30";

    /// <summary>The npm registry's integrity string for the pinned version; a different tarball is refused.</summary>
    public const string Integrity = "sha512-xTeeRLvzEfqyd5lh3bH4c0kHvSHHmmhD5ZDsHFKAQ5g2Zl6JqlFdutaQhCLHzxEp6Ry1o7TB6niIoXuQAnSewQ==";

    /// <summary>
    /// SHA-256 of the unpacked emulator folder as <see cref="TreeDigest"/> computes it: every file's SHA-256 and
    /// relative path, in ordinal order of the paths. Pinned with the version: the marker file says an install
    /// finished, this says that what is there is what the verified tarball held.
    /// </summary>
    public const string EmulatorTreeDigest = "ede5b609630588077754ba95a2503013815e3f5595bc40ee27d22395786e2e1e";

    private const string CompleteMarker = ".complete";

    /// <summary>Folders this process has already verified (hashing 64 MB once per process, not once per start).</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> Verified = new(StringComparer.Ordinal);

    /// <summary>Returns the folder holding DynamoDBLocal.jar, installing it first if needed.</summary>
    public static async Task<string> EnsureInstalledAsync(string cacheDirectory, TextWriter? log, CancellationToken ct)
    {
        var versionDir = Path.Combine(cacheDirectory, PackageVersion);
        var emulatorDir = Path.Combine(versionDir, "emulator");
        if (IsInstalledAndIntact(versionDir, emulatorDir))
        {
            return emulatorDir;
        }

        Directory.CreateDirectory(cacheDirectory);

        // Several test assemblies may start at once on a fresh machine; one installs, the others wait for it.
        await using var installLock = await AcquireLockAsync(Path.Combine(cacheDirectory, ".install.lock"), ct);
        if (IsInstalledAndIntact(versionDir, emulatorDir))
        {
            return emulatorDir;
        }

        if (File.Exists(Path.Combine(versionDir, CompleteMarker)))
        {
            log?.WriteLine($"The DynamoDB Local cache in {versionDir} does not match the pinned digest of {PackageName}@{PackageVersion}: installing it again.");
        }

        var npm = ExecutableLocator.Require("npm", "Node.js 18+ with npm (e.g. apt-get install -y nodejs npm).");
        var work = Path.Combine(cacheDirectory, $".download-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            log?.WriteLine($"Fetching DynamoDB Local ({PackageName}@{PackageVersion}, about 56 MB) into {cacheDirectory} ...");
            var tarball = await PackAsync(npm, work, ct);
            VerifyIntegrity(tarball);

            var unpacked = Path.Combine(work, "unpacked");
            await using (var file = File.OpenRead(tarball))
            await using (var gzip = new GZipStream(file, CompressionMode.Decompress))
            {
                Directory.CreateDirectory(unpacked);
                await TarFile.ExtractToDirectoryAsync(gzip, unpacked, overwriteFiles: true, ct);
            }

            var source = Path.Combine(unpacked, "package", "emulator");
            if (!File.Exists(Path.Combine(source, "DynamoDBLocal.jar")))
            {
                throw new DynamoDbLocalException($"{PackageName}@{PackageVersion} did not contain package/emulator/DynamoDBLocal.jar.");
            }

            if (Directory.Exists(versionDir))
            {
                Directory.Delete(versionDir, recursive: true);
            }

            Directory.CreateDirectory(versionDir);
            Directory.Move(source, emulatorDir);
            var digest = TreeDigest(emulatorDir);
            if (!string.Equals(digest, EmulatorTreeDigest, StringComparison.Ordinal))
            {
                // The tarball verified, so this is a change of the pinned version without a new digest.
                throw new DynamoDbLocalException(
                    $"{PackageName}@{PackageVersion} unpacked to files whose digest is {digest}, not the pinned {EmulatorTreeDigest}.");
            }

            Verified[emulatorDir] = true;
            await File.WriteAllTextAsync(Path.Combine(versionDir, CompleteMarker), Integrity, ct);
            log?.WriteLine("DynamoDB Local is installed.");
            return emulatorDir;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>
    /// One SHA-256 over the emulator folder's files: for each file, in ordinal order of its path written as
    /// <c>emulator/&lt;path in the folder with '/' separators&gt;</c>, the line "&lt;sha256 hex of its content&gt;  &lt;path&gt;\n".
    /// That is what <c>sha256sum</c> prints, so in the version folder
    /// <c>find emulator -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum</c> gives the same digest.
    /// </summary>
    public static string TreeDigest(string directory)
    {
        var root = Path.GetFullPath(directory);
        var files = Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => (Full: f, Relative: "emulator/" + Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/')))
            .OrderBy(f => f.Relative, StringComparer.Ordinal);
        using var all = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (full, relative) in files)
        {
            using var stream = File.OpenRead(full);
            var line = $"{Convert.ToHexStringLower(SHA256.HashData(stream))}  {relative}\n";
            all.AppendData(Encoding.UTF8.GetBytes(line));
        }

        return Convert.ToHexStringLower(all.GetHashAndReset());
    }

    private static bool IsInstalledAndIntact(string versionDir, string emulatorDir)
    {
        if (!File.Exists(Path.Combine(versionDir, CompleteMarker)) || !Directory.Exists(emulatorDir))
        {
            return false;
        }

        if (Verified.ContainsKey(emulatorDir))
        {
            return true;
        }

        if (!string.Equals(TreeDigest(emulatorDir), EmulatorTreeDigest, StringComparison.Ordinal))
        {
            return false;
        }

        Verified[emulatorDir] = true;
        return true;
    }

    private static async Task<string> PackAsync(string npm, string work, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(npm)
        {
            WorkingDirectory = work,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "pack", $"{PackageName}@{PackageVersion}", "--silent" })
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi) ?? throw new DynamoDbLocalException("Could not start npm.");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            throw new DynamoDbLocalException($"npm pack {PackageName}@{PackageVersion} failed (exit {process.ExitCode}): {(await stderr).Trim()}");
        }

        _ = await stdout;
        var tarball = Directory.GetFiles(work, "*.tgz").SingleOrDefault()
            ?? throw new DynamoDbLocalException($"npm pack {PackageName}@{PackageVersion} produced no tarball.");
        return tarball;
    }

    private static void VerifyIntegrity(string tarball)
    {
        using var stream = File.OpenRead(tarball);
        var actual = "sha512-" + Convert.ToBase64String(SHA512.HashData(stream));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(actual), Encoding.ASCII.GetBytes(Integrity)))
        {
            throw new DynamoDbLocalException(
                $"{PackageName}@{PackageVersion} failed its integrity check (expected {Integrity}, got {actual}); refusing to run it.");
        }
    }

    internal static async Task<FileStream> AcquireLockAsync(string path, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException)
            {
                await Task.Delay(250, ct);
            }
        }
    }
}
