/*
 * _reflink.c - reflink._reflink, the CPython extension over libreflink.
 *
 * Uses only the public header. Every call that touches the disk releases
 * the GIL; the tree engine's callbacks, which run on its worker threads,
 * take it back for as long as they run Python code. The Python layer
 * (reflink/__init__.py) turns keyword options into the integer modes and
 * flags taken here and wraps the tuples returned into result objects.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "reflink.h"

typedef struct {
	PyObject *impossible; /* reflink.error.CloneImpossibleError */
	PyObject *samefile;   /* reflink.error.SameFileError */
	unsigned long main_thread; /* threading.main_thread().ident */
} modstate;

static modstate *state_of(PyObject *module)
{
	return (modstate *)PyModule_GetState(module);
}

/* --- Errors ------------------------------------------------------------ */

/* The errno a library code stands for, so callers can test e.errno as they
 * would for any OSError. */
static int errno_of(int err)
{
	switch (err) {
	case RL_ECLONE_XDEV:
		return EXDEV;
	case RL_ECLONE_NOTSUP:
		return EOPNOTSUPP;
	case RL_ECLONE_INVAL:
	case RL_ESAMEFILE:
	case RL_ENOTREGULAR:
	case RL_EINSIDE:
		return EINVAL;
	case RL_ECLONE_DENIED:
		return EPERM;
	case RL_ECLONE_BUSY:
		return ETXTBSY;
	default:
		/* RL_ECHANGED, and any code newer than this binding. */
		return err < 0 && err > RL_ERRNO_BASE ? -err : EIO;
	}
}

/* A new exception object for err about the files f1 and f2 (either may be
 * NULL). Plain errno values get OSError's own subclass for them
 * (FileNotFoundError...), as os functions raise; strerror is always the
 * library's description, which names the RL_E* cases precisely. */
static PyObject *make_error(PyObject *module, int err, PyObject *f1,
			    PyObject *f2)
{
	modstate *st = state_of(module);
	PyObject *type = PyExc_OSError;
	if (rl_is_clone_impossible(err))
		type = st->impossible;
	else if (err == RL_ESAMEFILE)
		type = st->samefile;
	/* OSError(errno, strerror, filename, winerror, filename2) */
	return PyObject_CallFunction(type, "isOOO", errno_of(err),
				     rl_strerror(err), f1 ? f1 : Py_None,
				     Py_None, f2 ? f2 : Py_None);
}

static PyObject *set_error(PyObject *module, int err, PyObject *f1,
			   PyObject *f2)
{
	PyObject *exc = make_error(module, err, f1, f2);
	if (exc) {
		PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
		Py_DECREF(exc);
	}
	return NULL;
}

/* --- Argument converters ----------------------------------------------- */

/* A path argument: the object as given (kept for error messages, as the os
 * module does) and its bytes in the file system encoding. */
struct path {
	PyObject *obj;
	PyObject *bytes;
};

static int path_conv(PyObject *o, void *out)
{
	struct path *p = out;
	if (!o) { /* cleanup call: a later argument failed */
		Py_CLEAR(p->bytes);
		return 1;
	}
	p->obj = o;
	/* str, bytes or os.PathLike; embedded NUL bytes raise ValueError. */
	return PyUnicode_FSConverter(o, &p->bytes) ? Py_CLEANUP_SUPPORTED : 0;
}

static const char *path_str(const struct path *p)
{
	return PyBytes_AS_STRING(p->bytes);
}

/* A file descriptor: an int, or an object with fileno(). */
static int fd_conv(PyObject *o, void *out)
{
	int fd = PyObject_AsFileDescriptor(o);
	if (fd < 0)
		return 0;
	*(int *)out = fd;
	return 1;
}

/* A byte offset or length: an int that is not negative. */
static int u64_conv(PyObject *o, void *out)
{
	PyObject *n = PyNumber_Index(o);
	if (!n)
		return 0;
	int overflow = 0;
	long long v = PyLong_AsLongLongAndOverflow(n, &overflow);
	unsigned long long u = (unsigned long long)v;
	if (overflow > 0)
		u = PyLong_AsUnsignedLongLong(n);
	Py_DECREF(n);
	if (PyErr_Occurred())
		return 0;
	if (overflow < 0 || (!overflow && v < 0)) {
		PyErr_SetString(PyExc_ValueError,
				"offsets and lengths must not be negative");
		return 0;
	}
	*(uint64_t *)out = u;
	return 1;
}

/* --- Ctrl-C ------------------------------------------------------------ */

/*
 * Python runs signal handlers in the main thread only, between bytecodes:
 * a copy that runs in C for a minute would hold Ctrl-C back that long. So
 * a call from the main thread gives the library a cancel flag and, from
 * time to time (at most every WATCH_NS, from the copy's progress callback
 * or, for trees, from the waiting main thread), takes the GIL and runs the
 * pending handlers. A handler that raises (KeyboardInterrupt) sets the
 * flag: the copy returns -ECANCELED, nothing partial left, and the
 * exception propagates. A handler that returns lets the copy go on; other
 * threads' copies are never watched.
 */
#define WATCH_NS 50000000LL

struct watch {
	volatile int cancel;
	int raised;        /* a handler raised: its exception is set */
	long long next_ns; /* CLOCK_MONOTONIC_COARSE */
};

static long long coarse_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts); /* vDSO: no system call */
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Watch only calls from the main thread, the one that runs handlers. */
static int watch_wanted(PyObject *module)
{
	return PyThread_get_thread_ident() == state_of(module)->main_thread;
}

/* Run the pending signal handlers (GIL held); one that raises cancels. */
static void watch_check(struct watch *w)
{
	if (!w->raised && PyErr_CheckSignals() < 0) {
		w->raised = 1;
		__atomic_store_n(&w->cancel, 1, __ATOMIC_RELAXED);
	}
}

/* The GIL was released by this thread (Py_BEGIN_ALLOW_THREADS):
 * PyGILState_Ensure takes it back with the same thread state, so the
 * exception stays where the call will find it. */
static void watch_check_nogil(struct watch *w)
{
	PyGILState_STATE g = PyGILState_Ensure();
	watch_check(w);
	PyGILState_Release(g);
}

static void watch_bytes(void *ctx, uint64_t done, uint64_t total)
{
	struct watch *w = ctx;
	(void)done, (void)total;
	long long now = coarse_ns();
	if (w->raised || now < w->next_ns)
		return;
	w->next_ns = now + WATCH_NS;
	watch_check_nogil(w);
}

/* Watch a single-file copy with opts, if called from the main thread. */
static void watch_file(PyObject *module, struct watch *w, rl_options *opts)
{
	w->cancel = w->raised = 0;
	if (!watch_wanted(module))
		return;
	w->next_ns = coarse_ns() + WATCH_NS;
	opts->cancel = &w->cancel;
	opts->on_bytes = watch_bytes;
	opts->ctx = w;
}

/* --- Single files ------------------------------------------------------ */

static PyObject *result_tuple(const rl_result *res)
{
	return Py_BuildValue("(iKKK)", (int)res->method,
			     (unsigned long long)res->bytes,
			     (unsigned long long)res->cloned_bytes,
			     (unsigned long long)res->copied_bytes);
}

PyDoc_STRVAR(copy_file_doc,
"copy_file(src, dst, mode, flags, preserve) -> (method, bytes, cloned, copied)\n\n"
"rl_copy_file: copy the file src to the path dst, replacing dst atomically.");

static PyObject *py_copy_file(PyObject *module, PyObject *args)
{
	struct path src = { 0 }, dst = { 0 };
	rl_options opts = RL_OPTIONS_INIT;
	rl_result res = RL_RESULT_INIT;
	struct watch w;
	int mode, r;
	if (!PyArg_ParseTuple(args, "O&O&iII:copy_file", path_conv, &src,
			      path_conv, &dst, &mode, &opts.flags,
			      &opts.preserve))
		return NULL;
	opts.mode = (rl_mode)mode;
	watch_file(module, &w, &opts);
	Py_BEGIN_ALLOW_THREADS
	r = rl_copy_file(path_str(&src), path_str(&dst), &opts, &res);
	Py_END_ALLOW_THREADS
	PyObject *ret = w.raised ? NULL
		      : r < 0 ? set_error(module, r, src.obj, dst.obj)
			      : result_tuple(&res);
	Py_DECREF(src.bytes);
	Py_DECREF(dst.bytes);
	return ret;
}

PyDoc_STRVAR(clone_range_doc,
"clone_range(src_fd, src_off, dst_fd, dst_off, length, mode, src_name,\n"
"            dst_name) -> (method, bytes, cloned, copied)\n\n"
"rl_clone_range; src_name and dst_name only name the files in errors.");

static PyObject *py_clone_range(PyObject *module, PyObject *args)
{
	int sfd, dfd, mode, r;
	uint64_t soff, doff, len;
	PyObject *sname, *dname;
	rl_options opts = RL_OPTIONS_INIT;
	rl_result res = RL_RESULT_INIT;
	struct watch w;
	if (!PyArg_ParseTuple(args, "O&O&O&O&O&iOO:clone_range", fd_conv, &sfd,
			      u64_conv, &soff, fd_conv, &dfd, u64_conv, &doff,
			      u64_conv, &len, &mode, &sname, &dname))
		return NULL;
	opts.mode = (rl_mode)mode;
	watch_file(module, &w, &opts);
	Py_BEGIN_ALLOW_THREADS
	r = rl_clone_range2(sfd, soff, dfd, doff, len, &opts, &res);
	Py_END_ALLOW_THREADS
	if (w.raised)
		return NULL;
	if (r < 0)
		return set_error(module, r, sname, dname);
	return result_tuple(&res);
}

PyDoc_STRVAR(probe_doc,
"probe(path) -> (supported, fstype, reason, offload)\n\n"
"rl_probe: reason is None, or why clones do not work there; offload is\n"
"None, or the kind of filesystem copy_file_range is offloaded to.");

static PyObject *py_probe(PyObject *module, PyObject *args)
{
	struct path p = { 0 };
	rl_probe_result out = RL_PROBE_INIT;
	int r;
	if (!PyArg_ParseTuple(args, "O&:probe", path_conv, &p))
		return NULL;
	Py_BEGIN_ALLOW_THREADS
	r = rl_probe(path_str(&p), &out);
	Py_END_ALLOW_THREADS
	PyObject *ret;
	if (r < 0)
		ret = set_error(module, r, p.obj, NULL);
	else
		ret = Py_BuildValue("(Nszz)", PyBool_FromLong(out.supported),
				    out.fstype,
				    out.supported ? NULL : rl_strerror(out.reason),
				    out.offload[0] ? out.offload : NULL);
	Py_DECREF(p.bytes);
	return ret;
}

/* --- Trees ------------------------------------------------------------- */

/* What the tree callbacks share with the call that started the copy. */
struct tree_call {
	PyObject *module;
	PyObject *filter;  /* filter(relpath, name, is_dir) -> bool, or NULL */
	PyObject *errors;  /* one exception per failed entry */
	int as_str;        /* hand paths to Python as str (else bytes) */
	int stop;          /* a callback raised: leave everything else out */
	PyObject *pending; /* that exception, raised when the copy returns */
};

static PyObject *path_obj(const char *p, int as_str)
{
	return as_str ? PyUnicode_DecodeFSDefault(p) : PyBytes_FromString(p);
}

/* Keep the first exception a callback raised, to raise when the copy
 * returns. The copy is wound down meanwhile: from then on the filter leaves
 * every entry out and on_error asks the library to stop. */
static void keep_exception(struct tree_call *c)
{
#if PY_VERSION_HEX >= 0x030C0000
	PyObject *value = PyErr_GetRaisedException();
#else
	PyObject *type, *value, *tb;
	PyErr_Fetch(&type, &value, &tb);
	PyErr_NormalizeException(&type, &value, &tb);
	if (tb && value)
		PyException_SetTraceback(value, tb);
	Py_XDECREF(type);
	Py_XDECREF(tb);
#endif
	if (!c->pending)
		c->pending = value;
	else
		Py_XDECREF(value);
	c->stop = 1;
}

/* Ask the Python filter; runs on a worker thread, so take the GIL. */
static int tree_filter(void *ctx, const char *relpath, const char *name,
		       int is_dir)
{
	struct tree_call *c = ctx;
	PyGILState_STATE g = PyGILState_Ensure();
	int leave_out = 1;
	if (!c->stop) {
		PyObject *rel = path_obj(relpath, c->as_str);
		PyObject *nm = rel ? path_obj(name, c->as_str) : NULL;
		PyObject *r = nm ? PyObject_CallFunctionObjArgs(
				       c->filter, rel, nm,
				       is_dir ? Py_True : Py_False, NULL)
				 : NULL;
		leave_out = r ? PyObject_IsTrue(r) : -1;
		Py_XDECREF(r);
		Py_XDECREF(nm);
		Py_XDECREF(rel);
		if (leave_out < 0) {
			keep_exception(c);
			leave_out = 1;
		}
	}
	PyGILState_Release(g);
	return leave_out;
}

/* Record one failed entry and go on, as shutil.copytree does. */
static int tree_error(void *ctx, const char *src, const char *dst, int err)
{
	struct tree_call *c = ctx;
	PyGILState_STATE g = PyGILState_Ensure();
	if (!c->stop) {
		/* No src: a removal (delete=True) failed; dst is its name. */
		PyObject *s = path_obj(src ? src : dst ? dst : "", c->as_str);
		PyObject *d = s && src ? path_obj(dst ? dst : "", c->as_str) : NULL;
		PyObject *exc = s && (d || !src) ? make_error(c->module, err, s, d) : NULL;
		if (!exc || PyList_Append(c->errors, exc) < 0)
			keep_exception(c);
		Py_XDECREF(exc);
		Py_XDECREF(d);
		Py_XDECREF(s);
	}
	int stop = c->stop;
	PyGILState_Release(g);
	return stop;
}

/* Files per method, one item per method the library names (METHODS). */
static PyObject *by_method_tuple(const rl_tree_stats *s)
{
	PyObject *t = PyTuple_New(RL_METHOD_COUNT_);
	for (int i = 0; t && i < RL_METHOD_COUNT_; i++) {
		PyObject *n = PyLong_FromUnsignedLongLong(s->by_method[i]);
		if (!n)
			Py_CLEAR(t);
		else
			PyTuple_SET_ITEM(t, i, n);
	}
	return t;
}

static PyObject *stats_tuple(const rl_tree_stats *s)
{
	PyObject *methods = by_method_tuple(s);
	if (!methods)
		return NULL;
	return Py_BuildValue(
		"(KKKKKKKKKKNKK)", (unsigned long long)s->files,
		(unsigned long long)s->dirs, (unsigned long long)s->symlinks,
		(unsigned long long)s->specials,
		(unsigned long long)s->hardlinks, (unsigned long long)s->bytes,
		(unsigned long long)s->cloned_bytes,
		(unsigned long long)s->copied_bytes,
		(unsigned long long)s->errors,
		(unsigned long long)s->clone_impossible, methods,
		(unsigned long long)s->skipped,
		(unsigned long long)s->deleted);
}

/* The exception a failed tree copy raises: the first failed entry's when
 * the library says entries failed (RL_EPARTIAL), else one for the whole
 * call (a stop error no callback saw); either way with .errors listing
 * every failed entry. */
static PyObject *tree_exception(struct tree_call *c, int r,
				const struct path *src, const struct path *dst)
{
	PyObject *exc;
	if (r == RL_EPARTIAL && PyList_GET_SIZE(c->errors) > 0) {
		exc = PyList_GET_ITEM(c->errors, 0);
		Py_INCREF(exc);
	} else {
		exc = make_error(c->module, r, src->obj, dst->obj);
	}
	if (exc && PyObject_SetAttrString(exc, "errors", c->errors) < 0)
		Py_CLEAR(exc);
	return exc;
}

/* A tree copy on a thread of its own, so that the main thread can watch
 * for signals meanwhile (the walk has no progress callback to borrow). */
struct tree_job {
	const char *src, *dst;
	const rl_tree_options *opts;
	rl_tree_stats *stats;
	int r, done;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static void *tree_thread(void *arg)
{
	struct tree_job *j = arg;
	int r = rl_copy_tree(j->src, j->dst, j->opts, j->stats);
	pthread_mutex_lock(&j->mu);
	j->r = r;
	j->done = 1;
	pthread_cond_signal(&j->cv);
	pthread_mutex_unlock(&j->mu);
	return NULL;
}

/* Wait for the job (GIL released), running the signal handlers every
 * WATCH_NS until one raises; then only wait: the copy stops soon. */
static void tree_wait(struct tree_job *j, struct watch *w)
{
	pthread_mutex_lock(&j->mu);
	while (!j->done) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += WATCH_NS;
		ts.tv_sec += ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&j->cv, &j->mu, &ts);
		if (j->done || w->raised)
			continue;
		pthread_mutex_unlock(&j->mu);
		watch_check_nogil(w);
		pthread_mutex_lock(&j->mu);
	}
	pthread_mutex_unlock(&j->mu);
}

/* rl_copy_tree, watched for Ctrl-C on a thread of its own when called
 * from the main thread (directly if no thread can be made). */
static int tree_watched(struct tree_job *j, struct watch *w)
{
	pthread_t tid;
	pthread_mutex_init(&j->mu, NULL);
	pthread_cond_init(&j->cv, NULL);
	if (pthread_create(&tid, NULL, tree_thread, j) != 0) {
		tree_thread(j);
	} else {
		tree_wait(j, w);
		pthread_join(tid, NULL);
	}
	pthread_mutex_destroy(&j->mu);
	pthread_cond_destroy(&j->cv);
	return j->r;
}

static int run_tree(struct tree_call *c, const struct path *src,
		    const struct path *dst, rl_tree_options *opts,
		    rl_tree_stats *stats, struct watch *w)
{
	struct tree_job j;
	memset(&j, 0, sizeof j);
	j.src = path_str(src);
	j.dst = path_str(dst);
	j.opts = opts;
	j.stats = stats;
	int watched = watch_wanted(c->module);
	opts->ctx = c;
	opts->on_error = tree_error;
	if (c->filter)
		opts->filter = tree_filter;
	w->cancel = w->raised = 0;
	if (watched)
		opts->cancel = &w->cancel;
	Py_BEGIN_ALLOW_THREADS
	if (watched)
		tree_watched(&j, w);
	else
		tree_thread(&j);
	Py_END_ALLOW_THREADS
	return j.r;
}

PyDoc_STRVAR(copy_tree_doc,
"copy_tree(src, dst, mode, flags, preserve, jobs, filter, as_str[, update])\n"
"    -> (stats, exception or None)\n\n"
"rl_copy_tree. filter(relpath, name, is_dir) -> true to leave an entry out,\n"
"or None; paths reach it as str if as_str, else bytes. A failed copy\n"
"returns the exception to raise, so the caller can attach the stats.");

static PyObject *py_copy_tree(PyObject *module, PyObject *args)
{
	struct path src = { 0 }, dst = { 0 };
	rl_tree_options opts = RL_TREE_OPTIONS_INIT;
	rl_tree_stats stats = RL_TREE_STATS_INIT;
	struct tree_call c = { module, NULL, NULL, 0, 0, NULL };
	struct watch w;
	PyObject *filter, *ret = NULL, *exc = NULL;
	int mode, update = RL_UPDATE_ALL, r;
	if (!PyArg_ParseTuple(args, "O&O&iIIIOp|i:copy_tree", path_conv, &src,
			      path_conv, &dst, &mode, &opts.flags,
			      &opts.preserve, &opts.jobs, &filter, &c.as_str,
			      &update))
		return NULL;
	opts.mode = (rl_mode)mode;
	opts.update = (rl_update)update;
	c.filter = filter == Py_None ? NULL : filter;
	if (!(c.errors = PyList_New(0)))
		goto out;
	r = run_tree(&c, &src, &dst, &opts, &stats, &w);
	if (w.raised) /* KeyboardInterrupt, before what callbacks raised */
		goto out;
	if (c.pending) {
		PyErr_SetObject((PyObject *)Py_TYPE(c.pending), c.pending);
		goto out;
	}
	if (r < 0 && !(exc = tree_exception(&c, r, &src, &dst)))
		goto out;
	ret = Py_BuildValue("(NO)", stats_tuple(&stats), exc ? exc : Py_None);
out:
	Py_XDECREF(exc);
	Py_XDECREF(c.pending);
	Py_XDECREF(c.errors);
	Py_DECREF(src.bytes);
	Py_DECREF(dst.bytes);
	return ret;
}

/* --- Sharing ------------------------------------------------------------ */

static void share_progress(void *ctx, int phase, uint64_t done, uint64_t total)
{
	(void)phase, (void)done, (void)total;
	watch_bytes(ctx, 0, 0); /* Ctrl-C, checked by time as a copy does */
}

/* Options for rl_shared2 / rl_dedupe, watched for Ctrl-C from the main
 * thread through the progress callback. */
static void share_opts(PyObject *module, struct watch *w, rl_share_options *o)
{
	w->cancel = w->raised = 0;
	if (!watch_wanted(module))
		return;
	w->next_ns = coarse_ns() + WATCH_NS;
	o->cancel = &w->cancel;
	o->on_progress = share_progress;
	o->ctx = w;
}

PyDoc_STRVAR(shared_doc,
"shared(path, jobs) -> (files, bytes, allocated, shared, exclusive, holes,\n"
"                       unmapped, errors)\n\n"
"rl_shared2: what the file or tree at path shares (FIEMAP sums).");

static PyObject *py_shared(PyObject *module, PyObject *args)
{
	struct path p = { 0 };
	rl_share_options o = RL_SHARE_OPTIONS_INIT;
	rl_shared_stats s = RL_SHARED_STATS_INIT;
	struct watch w;
	int r;
	if (!PyArg_ParseTuple(args, "O&I:shared", path_conv, &p, &o.jobs))
		return NULL;
	share_opts(module, &w, &o);
	Py_BEGIN_ALLOW_THREADS
	r = rl_shared2(path_str(&p), &o, &s);
	Py_END_ALLOW_THREADS
	PyObject *ret = w.raised ? NULL
		: r < 0 && r != RL_EPARTIAL ? set_error(module, r, p.obj, NULL)
		: Py_BuildValue("(KKKKKKKK)", (unsigned long long)s.files,
				(unsigned long long)s.bytes, (unsigned long long)s.allocated,
				(unsigned long long)s.shared, (unsigned long long)s.exclusive,
				(unsigned long long)s.holes, (unsigned long long)s.unmapped,
				(unsigned long long)s.errors);
	Py_DECREF(p.bytes);
	return ret;
}

static PyObject *dedupe_tuple(const rl_dedupe_stats *s)
{
	PyObject *skipped = PyDict_New();
	for (int i = 0; skipped && i < RL_SKIP_COUNT_; i++) {
		PyObject *v = PyLong_FromUnsignedLongLong(s->skipped_by[i]);
		if (!v || PyDict_SetItemString(skipped, rl_skip_name(i), v) < 0)
			Py_CLEAR(skipped);
		Py_XDECREF(v);
	}
	if (!skipped)
		return NULL;
	return Py_BuildValue("(KKKKKKNK)", (unsigned long long)s->files,
			     (unsigned long long)s->bytes, (unsigned long long)s->groups,
			     (unsigned long long)s->duplicates,
			     (unsigned long long)s->deduped_bytes,
			     (unsigned long long)s->already_shared_bytes, skipped,
			     (unsigned long long)s->errors);
}

PyDoc_STRVAR(dedupe_doc,
"dedupe(paths, dry_run, jobs) -> (files, bytes, groups, duplicates,\n"
"    deduped_bytes, already_shared_bytes, skipped, errors)\n\n"
"rl_dedupe over the list of paths; skipped maps reasons to counts.");

static PyObject *py_dedupe(PyObject *module, PyObject *args)
{
	PyObject *list, *ret = NULL;
	rl_share_options o = RL_SHARE_OPTIONS_INIT;
	rl_dedupe_stats s = RL_DEDUPE_STATS_INIT;
	struct watch w;
	int dry, r;
	if (!PyArg_ParseTuple(args, "O!pI:dedupe", &PyList_Type, &list, &dry, &o.jobs))
		return NULL;
	Py_ssize_t n = PyList_GET_SIZE(list);
	struct path *ps = PyMem_Calloc((size_t)n + 1, sizeof *ps);
	const char **names = PyMem_Calloc((size_t)n + 1, sizeof *names);
	Py_ssize_t got = 0;
	if (!ps || !names) {
		PyErr_NoMemory();
		goto out;
	}
	for (; got < n; got++) {
		if (!path_conv(PyList_GET_ITEM(list, got), &ps[got]))
			goto out;
		names[got] = path_str(&ps[got]);
	}
	o.flags = dry ? RL_DEDUPE_DRY_RUN : 0;
	share_opts(module, &w, &o);
	Py_BEGIN_ALLOW_THREADS
	r = rl_dedupe(names, &o, &s);
	Py_END_ALLOW_THREADS
	if (w.raised)
		goto out;
	ret = r < 0 && r != RL_EPARTIAL
		? set_error(module, r, n ? ps[0].obj : NULL, NULL) : dedupe_tuple(&s);
out:
	for (Py_ssize_t i = 0; ps && i < got; i++)
		Py_DECREF(ps[i].bytes);
	PyMem_Free(ps);
	PyMem_Free(names);
	return ret;
}

/* --- Module ------------------------------------------------------------ */

static PyMethodDef methods[] = {
	{ "copy_file", py_copy_file, METH_VARARGS, copy_file_doc },
	{ "clone_range", py_clone_range, METH_VARARGS, clone_range_doc },
	{ "probe", py_probe, METH_VARARGS, probe_doc },
	{ "copy_tree", py_copy_tree, METH_VARARGS, copy_tree_doc },
	{ "shared", py_shared, METH_VARARGS, shared_doc },
	{ "dedupe", py_dedupe, METH_VARARGS, dedupe_doc },
	{ NULL, NULL, 0, NULL },
};

static int add_int(PyObject *m, const char *name, long v)
{
	return PyModule_AddIntConstant(m, name, v);
}

static int add_constants(PyObject *m)
{
	PyObject *names = PyTuple_New(RL_METHOD_COUNT_);
	if (!names)
		return -1;
	for (int i = 0; i < RL_METHOD_COUNT_; i++)
		PyTuple_SET_ITEM(names, i,
				 PyUnicode_FromString(rl_method_name((rl_method)i)));
	if (PyModule_AddObject(m, "METHODS", names) < 0) {
		Py_DECREF(names);
		return -1;
	}
	if (add_int(m, "MODE_AUTO", RL_MODE_AUTO) || add_int(m, "MODE_ALWAYS", RL_MODE_ALWAYS) ||
	    add_int(m, "MODE_NEVER", RL_MODE_NEVER) || add_int(m, "F_NO_CLOBBER", RL_F_NO_CLOBBER) ||
	    add_int(m, "F_NOFOLLOW", RL_F_NOFOLLOW) || add_int(m, "F_FSYNC", RL_F_FSYNC) ||
	    add_int(m, "PRESERVE_MODE", RL_PRESERVE_MODE) ||
	    add_int(m, "PRESERVE_OWNERSHIP", RL_PRESERVE_OWNERSHIP) ||
	    add_int(m, "PRESERVE_TIMESTAMPS", RL_PRESERVE_TIMESTAMPS) ||
	    add_int(m, "PRESERVE_XATTR", RL_PRESERVE_XATTR) ||
	    add_int(m, "PRESERVE_LINKS", RL_PRESERVE_LINKS) ||
	    add_int(m, "TREE_DEREF_ALL", RL_TREE_DEREF_ALL) ||
	    add_int(m, "TREE_MERGE", RL_TREE_MERGE) ||
	    add_int(m, "TREE_ATOMIC", RL_TREE_ATOMIC) ||
	    add_int(m, "TREE_DELETE", RL_TREE_DELETE) ||
	    add_int(m, "UPDATE_ALL", RL_UPDATE_ALL) ||
	    add_int(m, "UPDATE_NONE", RL_UPDATE_NONE) ||
	    add_int(m, "UPDATE_OLDER", RL_UPDATE_OLDER) ||
	    add_int(m, "UPDATE_NONE_FAIL", RL_UPDATE_NONE_FAIL))
		return -1;
	return PyModule_AddStringConstant(m, "VERSION", RL_VERSION_STRING);
}

/* The exception classes live in reflink/error.py (ReflinkImpossibleError
 * must not be an OSError there, for the old package's sake); raise those. */
static int load_errors(modstate *st)
{
	PyObject *mod = PyImport_ImportModule("reflink.error");
	if (!mod)
		return -1;
	st->impossible = PyObject_GetAttrString(mod, "CloneImpossibleError");
	st->samefile = PyObject_GetAttrString(mod, "SameFileError");
	Py_DECREF(mod);
	return st->impossible && st->samefile ? 0 : -1;
}

/* Which thread runs signal handlers (the module may be imported by
 * another one). */
static int load_main_thread(modstate *st)
{
	PyObject *mod = PyImport_ImportModule("threading");
	PyObject *t = mod ? PyObject_CallMethod(mod, "main_thread", NULL) : NULL;
	PyObject *id = t ? PyObject_GetAttrString(t, "ident") : NULL;
	if (id)
		st->main_thread = PyLong_AsUnsignedLong(id);
	Py_XDECREF(id);
	Py_XDECREF(t);
	Py_XDECREF(mod);
	return id && !PyErr_Occurred() ? 0 : -1;
}

static int exec_module(PyObject *m)
{
	if (load_errors(state_of(m)) < 0 || load_main_thread(state_of(m)) < 0)
		return -1;
	return add_constants(m);
}

static int traverse(PyObject *m, visitproc visit, void *arg)
{
	modstate *st = state_of(m);
	Py_VISIT(st->impossible);
	Py_VISIT(st->samefile);
	return 0;
}

static int clear(PyObject *m)
{
	modstate *st = state_of(m);
	Py_CLEAR(st->impossible);
	Py_CLEAR(st->samefile);
	return 0;
}

static void free_module(void *m)
{
	clear((PyObject *)m);
}

static PyModuleDef_Slot slots[] = {
	{ Py_mod_exec, (void *)exec_module },
	{ 0, NULL },
};

static struct PyModuleDef moduledef = {
	PyModuleDef_HEAD_INIT,
	.m_name = "reflink._reflink",
	.m_doc = "Low-level binding of libreflink; use the reflink package.",
	.m_size = sizeof(modstate),
	.m_methods = methods,
	.m_slots = slots,
	.m_traverse = traverse,
	.m_clear = clear,
	.m_free = free_module,
};

PyMODINIT_FUNC PyInit__reflink(void);

PyMODINIT_FUNC PyInit__reflink(void)
{
	return PyModuleDef_Init(&moduledef);
}
