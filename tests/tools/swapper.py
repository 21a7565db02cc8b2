"""swapper.py ROOT TARGET STOP: until the file STOP exists, swap each
directory directly in ROOT for a symlink to TARGET and back, over and
over (rename it aside, plant the link, leave it a moment, put the
directory back), to race a --delete run that removes ROOT's contents.
ROOT is opened once (never through a symlink) and everything is done
relative to that fd, so the swapper itself never acts outside ROOT, even
when another swapper turns ROOT's name into a link. Prints "swaps N" (how
many links were planted). Errors (the run removed something first) are
expected and ignored."""
import os
import sys
import time

root, target, stop = sys.argv[1:4]
fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
planted = 0
while not os.path.exists(stop):
    try:
        names = [n for n in os.listdir(fd) if not n.endswith(".aside")]
    except OSError:
        names = []
    if not names:
        time.sleep(0.001)
    for name in names:
        aside = name + ".aside"
        try:
            os.rename(name, aside, src_dir_fd=fd, dst_dir_fd=fd)
        except OSError:
            continue
        try:
            os.symlink(target, name, dir_fd=fd)
            planted += 1
            time.sleep(0.0002)
            os.unlink(name, dir_fd=fd)
        except OSError:
            pass
        try:
            os.rename(aside, name, src_dir_fd=fd, dst_dir_fd=fd)
        except OSError:
            pass
print("swaps", planted)
