using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace Serverless.DynamoDbLocal;

/// <summary>
/// Obtains AWS's DynamoDB Local from the npm package that ships it (the only registry this project's machines reach),
/// checks the tarball against a pinned SHA-512, and unpacks it once into a cache folder.
/// </summary>
public static class DynamoDbLocalPackage
{
    public const string PackageName = "amplify-dynamodb-simulator";
    public const string PackageVersion = "2.9.30";

    /// <summary>The npm registry's integrity string for the pinned version; a different tarball is refused.</summary>
    public const string Integrity = "sha512-xTeeRLvzEfqyd5lh3bH4c0kHvSHHmmhD5ZDsHFKAQ5g2Zl6JqlFdutaQhCLHzxEp6Ry1o7TB6niIoXuQAnSewQ==";

    private const string CompleteMarker = ".complete";

    /// <summary>Returns the folder holding DynamoDBLocal.jar, installing it first if needed.</summary>
    public static async Task<string> EnsureInstalledAsync(string cacheDirectory, TextWriter? log, CancellationToken ct)
    {
        var versionDir = Path.Combine(cacheDirectory, PackageVersion);
        var emulatorDir = Path.Combine(versionDir, "emulator");
        if (File.Exists(Path.Combine(versionDir, CompleteMarker)))
        {
            return emulatorDir;
        }

        Directory.CreateDirectory(cacheDirectory);

        // Several test assemblies may start at once on a fresh machine; one installs, the others wait for it.
        await using var installLock = await AcquireLockAsync(Path.Combine(cacheDirectory, ".install.lock"), ct);
        if (File.Exists(Path.Combine(versionDir, CompleteMarker)))
        {
            return emulatorDir;
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
            await File.WriteAllTextAsync(Path.Combine(versionDir, CompleteMarker), Integrity, ct);
            log?.WriteLine("DynamoDB Local is installed.");
            return emulatorDir;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
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

    private static async Task<FileStream> AcquireLockAsync(string path, CancellationToken ct)
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
