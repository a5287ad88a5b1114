#!/usr/bin/env python3
"""A filesystem that forgets what was not synced, as a power cut does.

    lazyfs.py BACKING MOUNTPOINT

Mounts BACKING at MOUNTPOINT (FUSE, pyfuse3). Every write is kept in this
process's memory, page by page, and reaches BACKING only when the file is
synced (fsync, fdatasync) or closed; killing this process (SIGKILL) is the
power cut: whatever was written and not yet synced is gone, as from a disk
whose cache lost power. Names (create, rename, unlink, mkdir) reach BACKING
at once: the test is about data, the way Jepsen's LazyFS is first used.

Its own kind of test double, for tests/crash.rs only.
"""

import errno
import os
import stat
import sys

import pyfuse3
import trio

PAGE = 4096


class File:
    """An inode's data not yet synced: dirty pages and its logical size."""

    def __init__(self, size):
        self.pages = {}
        self.size = size


def as_fuse_errors(method):
    """An OSError of the backing folder answered as that error, never a crash."""
    async def wrapper(*args):
        try:
            return await method(*args)
        except OSError as e:
            raise pyfuse3.FUSEError(e.errno or errno.EIO)
    wrapper.__name__ = method.__name__
    return wrapper


class LazyFS(pyfuse3.Operations):
    def __init__(self, backing):
        super().__init__()
        self.paths = {pyfuse3.ROOT_INODE: backing}
        self.lookups = {}
        self.dirty = {}  # inode -> File
        self.handles = {}  # fh -> (inode, os fd)
        self.next_fh = 1

    # ------------------------------------------------------------ names

    def path(self, inode):
        try:
            return self.paths[inode]
        except KeyError:
            raise pyfuse3.FUSEError(errno.ENOENT)

    def child(self, parent, name):
        return os.path.join(self.path(parent), os.fsdecode(name))

    def attributes(self, path):
        try:
            s = os.lstat(path)
        except OSError as e:
            raise pyfuse3.FUSEError(e.errno)
        a = pyfuse3.EntryAttributes()
        for field in ("st_ino", "st_mode", "st_nlink", "st_uid", "st_gid", "st_rdev",
                      "st_atime_ns", "st_mtime_ns", "st_ctime_ns"):
            setattr(a, field, getattr(s, field))
        a.st_size = s.st_size
        f = self.dirty.get(s.st_ino)
        if f is not None:
            a.st_size = f.size
        a.st_blksize = 4096
        a.st_blocks = (a.st_size + 511) // 512
        a.generation = 0
        # No caching of names or attributes in the kernel: sizes change here.
        a.entry_timeout = 0
        a.attr_timeout = 0
        return a

    def remember(self, path):
        a = self.attributes(path)
        self.paths[a.st_ino] = path
        self.lookups[a.st_ino] = self.lookups.get(a.st_ino, 0) + 1
        return a

    async def lookup(self, parent_inode, name, ctx=None):
        if name == b".":
            return self.attributes(self.path(parent_inode))
        return self.remember(self.child(parent_inode, name))

    async def forget(self, inode_list):
        for inode, n in inode_list:
            left = self.lookups.get(inode, 0) - n
            if left > 0:
                self.lookups[inode] = left
            else:
                self.lookups.pop(inode, None)
                if inode != pyfuse3.ROOT_INODE and inode not in self.dirty and \
                        not any(i == inode for i, _ in self.handles.values()):
                    self.paths.pop(inode, None)

    async def getattr(self, inode, ctx=None):
        return self.attributes(self.path(inode))

    @as_fuse_errors
    async def setattr(self, inode, attr, fields, fh, ctx):
        path = self.path(inode)
        if fields.update_size:
            fd = self.handles[fh][1] if fh in self.handles else None
            f = self.file(inode, fd, path)
            f.size = attr.st_size
            for page in [p for p in f.pages if p * PAGE >= attr.st_size]:
                del f.pages[page]
            if attr.st_size % PAGE and attr.st_size // PAGE in f.pages:
                page = f.pages[attr.st_size // PAGE]
                cut = attr.st_size % PAGE
                page[cut:] = bytes(PAGE - cut)
        if fields.update_mode:
            os.chmod(path, stat.S_IMODE(attr.st_mode))
        if fields.update_uid or fields.update_gid:
            os.chown(path, attr.st_uid if fields.update_uid else -1,
                     attr.st_gid if fields.update_gid else -1)
        if fields.update_mtime or fields.update_atime:
            s = os.lstat(path)
            os.utime(path, ns=(attr.st_atime_ns if fields.update_atime else s.st_atime_ns,
                               attr.st_mtime_ns if fields.update_mtime else s.st_mtime_ns))
        return self.attributes(path)

    async def opendir(self, inode, ctx):
        self.path(inode)
        return inode

    async def readdir(self, fh, start_id, token):
        path = self.path(fh)
        names = sorted(os.listdir(path))
        for i, name in enumerate(names):
            if i < start_id:
                continue
            a = self.attributes(os.path.join(path, name))
            if not pyfuse3.readdir_reply(token, os.fsencode(name), a, i + 1):
                break
            self.paths[a.st_ino] = os.path.join(path, name)
            self.lookups[a.st_ino] = self.lookups.get(a.st_ino, 0) + 1

    async def releasedir(self, fh):
        pass

    async def fsyncdir(self, fh, datasync):
        pass

    @as_fuse_errors
    async def mkdir(self, parent_inode, name, mode, ctx):
        path = self.child(parent_inode, name)
        os.mkdir(path, mode)
        return self.remember(path)

    @as_fuse_errors
    async def rmdir(self, parent_inode, name, ctx):
        os.rmdir(self.child(parent_inode, name))

    @as_fuse_errors
    async def unlink(self, parent_inode, name, ctx):
        path = self.child(parent_inode, name)
        ino = os.lstat(path).st_ino
        os.unlink(path)
        self.dirty.pop(ino, None)

    @as_fuse_errors
    async def rename(self, parent_inode_old, name_old, parent_inode_new, name_new, flags, ctx):
        old = self.child(parent_inode_old, name_old)
        new = self.child(parent_inode_new, name_new)
        try:
            self.dirty.pop(os.lstat(new).st_ino, None)  # replaced
        except FileNotFoundError:
            pass
        os.rename(old, new)
        ino = os.lstat(new).st_ino
        self.paths[ino] = new

    @as_fuse_errors
    async def statfs(self, ctx):
        s = os.statvfs(self.paths[pyfuse3.ROOT_INODE])
        out = pyfuse3.StatvfsData()
        for field in ("f_bavail", "f_bfree", "f_blocks", "f_bsize", "f_favail",
                      "f_ffree", "f_files", "f_frsize", "f_namemax"):
            setattr(out, field, getattr(s, field))
        return out

    # ------------------------------------------------------------ data

    def file(self, inode, fd=None, path=None):
        """The inode's unsynced state, made from its size on the backing
        file (read through `fd`: an unlinked file open still counts)."""
        f = self.dirty.get(inode)
        if f is None:
            size = os.fstat(fd).st_size if fd is not None else os.lstat(path or self.path(inode)).st_size
            f = File(size)
            self.dirty[inode] = f
        return f

    def handle(self, inode, fd):
        fh = self.next_fh
        self.next_fh += 1
        self.handles[fh] = (inode, fd)
        info = pyfuse3.FileInfo(fh=fh)
        # Every write comes here at once (FUSE writes through); the kernel's
        # copy of the pages goes with the mount when the power is cut.
        info.keep_cache = False
        return info

    async def open(self, inode, flags, ctx):
        # Read and write whatever the caller asked: pages are read back to
        # be merged with what is written.
        keep = flags & ~(os.O_ACCMODE | os.O_APPEND | os.O_TRUNC | os.O_CREAT | os.O_EXCL)
        try:
            fd = os.open(self.path(inode), keep | os.O_RDWR)
        except OSError as e:
            raise pyfuse3.FUSEError(e.errno)
        if flags & os.O_TRUNC:
            f = self.file(inode, fd)
            f.pages.clear()
            f.size = 0
        return self.handle(inode, fd)

    async def create(self, parent_inode, name, mode, flags, ctx):
        path = self.child(parent_inode, name)
        try:
            fd = os.open(path, os.O_CREAT | os.O_RDWR | (flags & os.O_EXCL), mode)
        except OSError as e:
            raise pyfuse3.FUSEError(e.errno)
        a = self.remember(path)
        return self.handle(a.st_ino, fd), a

    def page(self, inode, fd, f, n):
        page = f.pages.get(n)
        if page is None:
            base = os.pread(fd, PAGE, n * PAGE)
            page = bytearray(base) + bytearray(PAGE - len(base))
        return page

    @as_fuse_errors
    async def read(self, fh, off, size):
        inode, fd = self.handles[fh]
        f = self.dirty.get(inode)
        if f is None:
            return os.pread(fd, size, off)
        end = min(off + size, f.size)
        out = bytearray()
        at = off
        while at < end:
            n, start = divmod(at, PAGE)
            take = min(PAGE - start, end - at)
            out += self.page(inode, fd, f, n)[start:start + take]
            at += take
        return bytes(out)

    @as_fuse_errors
    async def write(self, fh, off, buf):
        inode, fd = self.handles[fh]
        f = self.file(inode, fd)
        at, done = off, 0
        while done < len(buf):
            n, start = divmod(at, PAGE)
            take = min(PAGE - start, len(buf) - done)
            page = self.page(inode, fd, f, n)
            page[start:start + take] = buf[done:done + take]
            f.pages[n] = page
            at += take
            done += take
        f.size = max(f.size, off + len(buf))
        return len(buf)

    def sync(self, inode, fd):
        f = self.dirty.pop(inode, None)
        if f is None:
            os.fsync(fd)
            return
        for n, page in sorted(f.pages.items()):
            if n * PAGE < f.size:
                os.pwrite(fd, bytes(page[: min(PAGE, f.size - n * PAGE)]), n * PAGE)
        os.ftruncate(fd, f.size)
        os.fsync(fd)

    @as_fuse_errors
    async def fsync(self, fh, datasync):
        inode, fd = self.handles[fh]
        self.sync(inode, fd)

    async def flush(self, fh):
        pass

    async def release(self, fh):
        # Closing a file does not sync it, as on a real disk: its pages stay
        # here, by inode, until a later sync or the cut.
        _, fd = self.handles.pop(fh)
        os.close(fd)


def main():
    backing, mountpoint = sys.argv[1], sys.argv[2]
    fs = LazyFS(os.path.abspath(backing))
    options = set(pyfuse3.default_options)
    options.discard("default_permissions")
    options.add("fsname=lazyfs")
    pyfuse3.init(fs, mountpoint, options)
    print("mounted", flush=True)
    try:
        trio.run(pyfuse3.main)
    finally:
        pyfuse3.close(unmount=True)


if __name__ == "__main__":
    main()
