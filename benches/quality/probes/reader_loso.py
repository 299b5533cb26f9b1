"""Probe (not part of recur): the learned reader's rules, chosen leave-one-set-out.

For each of holdout7, holdout8 and holdout9: trains the reader (scripts/train_reader.py's
analyzer and model) on every other tagged set, runs `recur analyze --no-reader` on the set's
logs, applies the reader's rule in Python, and prints the mean ARI before and after; then the
same with the reader trained on all sets for the sample and three generated 1k logs
(/tmp/exp/g1k_S.csv from `recur-gen --rows 1000 --seed S`). Results: benches/QUALITY.md.
usage: python3 benches/quality/probes/reader_loso.py [--over 0.25] [--tau 0.15] [--keepfree 1]
"""
import csv, glob, os, sys, json, subprocess, tempfile, importlib.util, argparse
from collections import Counter
import numpy as np
ROOT=os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
spec=importlib.util.spec_from_file_location('tr',ROOT+'/scripts/train_reader.py'); tr=importlib.util.module_from_spec(spec); spec.loader.exec_module(tr)
sys.path.insert(0,ROOT+'/benches/quality'); from score import ari, ALIASES
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
import tomllib
known={t["id"] for t in tomllib.load(open(ROOT+'/assets/tendencies.toml','rb'))["tendency"]}
ap=argparse.ArgumentParser(); ap.add_argument('--tau',type=float,default=0.15); ap.add_argument('--over',type=float,default=0.25)
ap.add_argument('--sets',default=','.join(tr.SETS)); ap.add_argument('--tests',default='holdout7,holdout8,holdout9')
ap.add_argument('--keepmatched',type=int,default=1); ap.add_argument('--agree',type=float,default=2); ap.add_argument('--q',type=float,default=2); ap.add_argument('--maxn',type=int,default=0); ap.add_argument('--pure',type=float,default=-1); ap.add_argument('--new',type=int,default=1); ap.add_argument('--keepfree',type=int,default=0)
a=ap.parse_args()
V=ROOT+'/tests/data/voices'; BIN=ROOT+'/target/release/recur'
def train(excl):
    X=[];y=[]
    for s in a.sets.split(','):
        if s==excl: continue
        for f in glob.glob(f'{V}/{s}/*.csv'):
            for r in csv.DictReader(open(f)):
                if r['tendency'] in known: X.append(tr.entry_text(r)); y.append(r['tendency'])
    vec=TfidfVectorizer(analyzer=tr.analyzer,min_df=2,sublinear_tf=True)
    return vec, LogisticRegression(C=5,max_iter=5000).fit(vec.fit_transform(X),y)
RC={}
AG=[]
def recur_out(f,extra=()):
    key=(f,extra)
    if key in RC: return RC[key]
    with tempfile.TemporaryDirectory() as o:
        subprocess.run([BIN,'analyze',f,'-o',o,'-q','--charts','none','--no-reader',*extra],check=True)
        asg=list(csv.DictReader(open(f'{o}/assignments.csv')))
        pats=json.load(open(f'{o}/patterns.json'))
    pid2t={str(p['id']):(p.get('tendency_id') or f"p{p['id']}") for p in pats['patterns']}
    RC[key]=([pid2t.get(x['pattern'],'none') if x['pattern']!='0' else 'none' for x in asg],[bool(x['matched']) for x in asg])
    return RC[key]
def combine(model,f,rows,extra=()):
    vec,clf=model
    base,matched=recur_out(f,extra)
    P=clf.predict_proba(vec.transform([tr.entry_text(r) for r in rows]))
    have=set(base)-{'none'}; pred=[]
    ag=[clf.classes_[p.argmax()]==b for b,m,p in zip(base,matched,P) if m and b!='none' and not b.startswith('p')]
    agree=np.mean(ag) if ag else 0.0
    AG.append((os.path.basename(f),round(float(agree),2),len(ag)))
    km = a.keepmatched if agree < a.agree else 0
    for b,m,p in zip(base,matched,P):
        i=p.argmax(); t=clf.classes_[i]; pi=p[i]
        if a.pure>=0:
            pred.append(t if pi>=a.pure else 'none'); continue
        if pi>=a.over and not (km and m) and not (m and b in list(clf.classes_) and p[list(clf.classes_).index(b)]>=a.q) and not (m and a.maxn and len(rows)>a.maxn) and not (a.keepfree and b.startswith('p')): pred.append(t)
        elif b=='none' and pi>=a.tau and (a.new or t in have): pred.append(t)
        else: pred.append(b)
    c=Counter(pred); return base,[p if c[p]>=3 or p in have else 'none' for p in pred]
tot=[]
acc=[]
for test in a.tests.split(','):
    m=train(test)
    for f in sorted(glob.glob(f'{V}/{test}/*.csv')):
        rows=list(csv.DictReader(open(f))); truth=[r['tendency'] for r in rows]
        b,p=combine(m,f,rows); tot.append((ari(truth,b),ari(truth,p)))
        tagged=[(tr.entry_text(r),r['tendency']) for r in rows if r['tendency'] in known]
        acc+= list(m[1].predict(m[0].transform([x for x,_ in tagged]))==np.array([y for _,y in tagged]))
t=np.array(tot); print(f'{vars(a)} fresh(LOSO {a.tests}): accuracy {np.mean(acc):.3f}; ARI {t[:,0].mean():.3f} -> {t[:,1].mean():.3f} min {t[:,1].min():.3f}', end=' | ')
m=train(None)
for name,f,col,extra in [('sample',ROOT+'/data/failure-log-labelled.csv','tendency',()),('g1k s1','/tmp/exp/g1k_1.csv','truth',()),('g1k s6','/tmp/exp/g1k_6.csv','truth',()),('g1k s3','/tmp/exp/g1k_3.csv','truth',())]:
    rows=list(csv.DictReader(open(f))); truth=[ALIASES.get(r[col],r[col]) for r in rows]
    b,p=combine(m,f,rows,extra); print(f'{name} {ari(truth,b):.3f}->{ari(truth,p):.3f}',end=' ')
print()
if os.environ.get('AG'): print(AG)
