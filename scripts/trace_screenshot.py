#!/usr/bin/python3
"""Runs a small traced run and saves a PNG of GTKWave showing it through the trace.gtkw that
`safsim run --trace` writes beside the VCD (docs/traces.md, docs/figures/trace_gtkwave.png).

Usage: scripts/trace_screenshot.py SAFSIM OUT.png [--config configs/default.yaml]

The run is the recipe of docs/traces.md: fold 1 of LeNet-5's conv2 on 16x16 PEs with ideal
memory (cycles 3470-3579), tracing the clock, the controller, the NVM and PE row 0. GTKWave
runs in a private Xvfb display; the picture is taken once the window has stopped changing.
When gtkwave, Xvfb or Pillow's X11 grab is missing it says so and exits 0 without a picture.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

WIDTH, HEIGHT = 1400, 1000  # the [size] safsim writes into trace.gtkw


def skip(why):
    print(f"trace_screenshot: skipped: {why}")
    sys.exit(0)


def start_xvfb():
    """Starts Xvfb on a free display number; returns (process, ':N')."""
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", f"{WIDTH}x{HEIGHT}x24",
         "-nolisten", "tcp"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    number = b""
    with os.fdopen(read_fd, "rb") as r:
        while not number.endswith(b"\n"):
            chunk = r.read(1)
            if not chunk:
                break
            number += chunk
    if not number.strip():
        xvfb.terminate()
        skip("Xvfb did not start")
    return xvfb, ":" + number.decode().strip()


def settled_grab(grab, display, timeout):
    """The screen once two grabs half a second apart are equal and not blank."""
    deadline = time.monotonic() + timeout
    previous = None
    while time.monotonic() < deadline:
        time.sleep(0.5)
        image = grab(xdisplay=display)
        if image.getextrema() == ((0, 0), (0, 0), (0, 0)):
            continue  # nothing mapped yet: the root window is black
        if previous is not None and image.tobytes() == previous.tobytes():
            return image
        previous = image
    raise SystemExit(f"trace_screenshot: GTKWave's window did not settle within {timeout} s")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("safsim")
    ap.add_argument("png")
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--config", default=os.path.join(here, "..", "configs", "default.yaml"))
    ap.add_argument("--timeout", type=float, default=15)
    a = ap.parse_args()
    for tool in ("gtkwave", "Xvfb"):
        if shutil.which(tool) is None:
            skip(f"{tool} is not installed (Debian packages gtkwave, xvfb; scripts/setup.sh)")
    try:
        from PIL import ImageGrab
    except ImportError:
        skip("Pillow is not installed (Debian package python3-pil)")

    with tempfile.TemporaryDirectory(prefix="safsim_trace_shot_") as tmp:
        out = os.path.join(tmp, "t")
        subprocess.run(
            [a.safsim, "run", a.config, "--out", out, "--trace",
             "--set", "workload.images=1", "--set", "accelerator.ideal_memory=true",
             "--set", "output.trace.scopes=[accelerator.clk, accelerator.controller, "
                      "accelerator.nvm, \"accelerator.array.pe_0_*\"]",
             "--set", "output.trace.start_cycle=3470", "--set", "output.trace.end_cycle=3579"],
            check=True, stdout=subprocess.DEVNULL)
        xvfb, display = start_xvfb()
        gtkwave = None
        try:
            try:
                ImageGrab.grab(xdisplay=display)
            except OSError as e:  # Pillow built without XCB cannot read an X display
                skip(f"Pillow cannot grab an X display: {e}")
            env = dict(os.environ, DISPLAY=display, HOME=tmp)  # HOME: no user rc file is read
            gtkwave = subprocess.Popen(
                ["gtkwave", "--rcvar", "splash_disable on", "--rcvar", "enable_vert_grid off",
                 os.path.join(out, "trace.vcd"), os.path.join(out, "trace.gtkw")],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            image = settled_grab(ImageGrab.grab, display, a.timeout)
        finally:
            for p in (gtkwave, xvfb):
                if p is not None:
                    p.terminate()
                    p.wait(timeout=10)
        os.makedirs(os.path.dirname(os.path.abspath(a.png)), exist_ok=True)
        image.save(a.png)
    print(f"trace_screenshot: wrote {a.png} ({image.size[0]}x{image.size[1]})")


if __name__ == "__main__":
    main()
